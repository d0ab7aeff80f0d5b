// The phone's first load carries only the reporter app: reads the WASM module that the first
// load of /m fetches, from a release build's site folder, and fails when it holds words or
// code that only another area uses. Markers are unmistakable pieces of those areas:
// page titles in both languages and the URLs of their server functions (code that calls a
// server function carries its URL, so a URL in the module means that code is there too).
//
// Usage: node end2end/checks/phone-bundle.mjs SITE_ROOT [EXTRA_MARKER]
import { readFileSync } from 'node:fs';
import { mainModule } from './site.mjs';

const [siteRoot, extraMarker] = process.argv.slice(2);
if (!siteRoot) throw new Error('usage: phone-bundle.mjs SITE_ROOT [EXTRA_MARKER]');

const MARKERS = [
  // console: the queue's heading and its server functions
  '事件队列', 'Incident queue', 'console/queue', 'console/step',
  // data-fix reviews, canned replies, SLA settings
  '本系统只记录，不执行任何脚本。', 'Data-fix scripts', 'datafix/review', '快捷回复', 'Canned replies', 'canned/save',
  'SLA 与工作日历', 'sla/settings',
  // help center
  '按业务系统查找常见问题的解决办法', 'Answers to common questions, by business system',
  ...(extraMarker ? [extraMarker] : []),
];

// The first load of /m fetches the main module only: every other page is a lazy route whose
// code the split loader fetches on its first visit (the mobile bench lists the requests).
const main = mainModule(siteRoot);

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
process.exit(failures ? 1 : 0);
