// The phone's first load carries only the reporter app: reads the WASM module that the first
// load of /m fetches, from the phone bundle's folder of a release-profile build, and fails when
// it holds words or code that only another area uses. Markers are unmistakable pieces of those areas:
// page titles in both languages and the URLs of their server functions (code that calls a
// server function carries its URL, so a URL in the module means that code is there too).
//
// Usage: node end2end/checks/phone-bundle.mjs PHONE_PKG_FOLDER [EXTRA_MARKER]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { mainModule, mainScript } from './site.mjs';

const [pkg, extraMarker] = process.argv.slice(2);
if (!pkg) throw new Error('usage: phone-bundle.mjs PHONE_PKG_FOLDER [EXTRA_MARKER]');

const MARKERS = [
  // console: the queue's heading and its server functions
  '事件队列', 'Incident queue', 'console/queue', 'console/step',
  // data-fix reviews, canned replies, SLA settings
  '本系统只记录，不执行任何脚本。', 'Data-fix scripts', 'datafix/review', '快捷回复', 'Canned replies', 'canned/save',
  'SLA 与工作日历', 'sla/settings',
  // help center and its knowledge base
  '按业务系统查找常见问题的解决办法', 'Answers to common questions, by business system',
  '没有找到相关文章。', 'help/search', '不能发布自己编写的内容', 'Submit for review', 'kb/publish',
  // test-data construction: its pages' words and server functions
  '从失败步骤重试', 'Retry from the failed step', 'datagen/submit', 'datagen/stats',
  ...(extraMarker ? [extraMarker] : []),
];

// The first load of /m fetches the phone bundle's main module only: its other pages are lazy
// routes whose code the split loader fetches on their first visit (the mobile bench lists the
// requests).
const main = mainModule(pkg);

let failures = 0;
const bytes = readFileSync(main.path);
for (const marker of MARKERS) {
  const at = bytes.indexOf(Buffer.from(marker, 'utf8'));
  if (at >= 0) {
    console.log(`FAIL ${main.name} (loaded by /m) holds "${marker}" at byte ${at}`);
    failures += 1;
  }
}
console.log(`${main.name}: ${(bytes.length / 1024).toFixed(1)} KB raw, ${MARKERS.length} markers of other areas checked`);
console.log(`phone bundle: ${failures ? "FAILED" : "independent"} (${failures} markers of other areas found)`);

// The service worker finds the reporter's offline pieces with public/split-pieces.js: run the
// same code on this build's files, so a changed loader format fails here.
const sandbox = { self: {} };
runInNewContext(readFileSync(new URL('../../public/split-pieces.js', import.meta.url), 'utf8'), sandbox);
const { splitPieces } = sandbox.self;
const loader = splitPieces.loaderOf(readFileSync(mainScript(pkg).path, 'utf8'));
const offline = loader ? splitPieces.offlinePieces(readFileSync(join(pkg, loader), 'utf8')) : [];
// Each offline piece's own file (named after it), not only pieces it shares with others: the
// form's and a report's pages, the outbox list on /m, and the question signing out may ask.
const OWN_PIECES = ['__new_report_route_view_', '__report_route_view_', 'split_pending_outbox_', 'split_unsent_question_'];
const missingPages = OWN_PIECES.filter((name) => !offline.some((piece) => piece.file.includes(name)));
const missingFiles = [...new Set(offline.map((piece) => piece.file))].filter((file) => !existsSync(join(pkg, file)));
const piecesOk = loader && missingPages.length === 0 && missingFiles.length === 0;
console.log(`offline pieces: ${piecesOk ? 'found' : 'FAILED'} (loader ${loader ?? 'not found'}; ${offline.length} files; ` +
  `pages without a piece: ${missingPages.join(', ') || 'none'}; files absent: ${missingFiles.join(', ') || 'none'})`);
process.exit(failures || !piecesOk ? 1 : 0);
