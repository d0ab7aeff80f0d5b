/* DeskOutbox: drafts (text and photos) and the send queue of the mobile reporter (/m).
 * A classic script: pages load it with <script defer>, the service worker with importScripts, so
 * both work on one IndexedDB queue. Results cross to Rust/WASM as JSON strings (serde parses them).
 *
 * A phone may be shared: everything stored belongs to one account and is sealed (AES-GCM) with
 * that account's key, which the server hands out after sign-in (/api/m/storage-key) and the phone
 * keeps, non-extractable, only while the account is signed in here. Signing out (or another
 * account signing in) removes the account's drafts, key and cached pages; its unsent items stay,
 * sealed, until it signs in again. */
(function () {
  'use strict';

  const DB_NAME = 'desk-offline';
  const DB_VERSION = 2;
  const CHANNEL = 'desk-outbox';
  const PAGES_CACHE_PREFIX = 'desk-pages-u'; // + account id: the signed-in HTML kept offline
  const UPLOAD_URL = '/api/m/uploads';
  const KEY_URL = '/api/m/storage-key';
  const LEGACY_TEXT_PREFIX = 'desk:draft:'; // localStorage text drafts of earlier versions
  const MAX_IMAGES = 9;
  const MAX_SIDE = 1600;
  const QUALITY = 0.82;
  // A request that hangs (seen right after a phone comes back online) would hold the lock and
  // stall the whole queue: give up and send again. Reports and messages are a few kilobytes.
  const FETCH_TIMEOUT = 30000;
  const STALL_TIMEOUT = 20000; // XHR uploads: give up when no byte or answer has come for this long
  const STUCK_AFTER = 5; // failed tries after which an item is shown as stuck
  const inWindow = typeof window !== 'undefined';

  class NetError extends Error {
    constructor() { super('offline'); }
  }
  class HttpError extends Error {
    constructor(status, message, body) { super(message); this.status = status; this.body = body; }
  }

  // ---- IndexedDB -------------------------------------------------------------------------------

  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, DB_VERSION);
        open.onupgradeneeded = (event) => {
          const d = open.result;
          if (event.oldVersion < 1) d.createObjectStore('outbox', { keyPath: 'id' });
          // Version 1 kept draft photos with no owner: nobody can be sure whose they were.
          if (d.objectStoreNames.contains('drafts')) d.deleteObjectStore('drafts');
          d.createObjectStore('drafts', { keyPath: 'id' }).createIndex('byDraft', 'scope');
          d.createObjectStore('texts', { keyPath: 'scope' });
          d.createObjectStore('keys', { keyPath: 'owner' });
          d.createObjectStore('meta', { keyPath: 'name' });
        };
        open.onsuccess = () => {
          const d = open.result;
          // Never block a later schema version opened by a newer tab; reopen on next use.
          d.onversionchange = () => { d.close(); dbPromise = null; };
          resolve(d);
        };
        open.onerror = () => { dbPromise = null; reject(open.error); };
      });
    }
    return dbPromise;
  }

  function req(r) {
    return new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }

  // Runs fn(tx) and waits for the commit. fn may await only IndexedDB requests of tx: anything
  // else lets the transaction commit early.
  async function withTx(names, mode, fn) {
    const t = (await db()).transaction(names, mode);
    const done = new Promise((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('aborted'));
    });
    let result;
    try {
      result = await fn(t);
    } catch (e) {
      done.catch(() => {});
      try { t.abort(); } catch (_) { /* already finished */ }
      throw e;
    }
    await done;
    return result;
  }

  function draftRows(store, draftKey) {
    return req(store.index('byDraft').getAll(draftKey)).then((rows) => rows.sort(byAdded));
  }
  const byAdded = (a, b) => a.addedAt - b.addedAt;
  const byCreated = (a, b) => a.createdAt - b.createdAt;

  function readAll() {
    return withTx(['outbox'], 'readonly', (t) => req(t.objectStore('outbox').getAll()));
  }

  // Read-modify-write of one item; change() edits it in place. Returns the stored item or null.
  function update(id, change) {
    return withTx(['outbox'], 'readwrite', async (t) => {
      const store = t.objectStore('outbox');
      const item = await req(store.get(id));
      if (!item) return null;
      change(item);
      store.put(item);
      return item;
    });
  }

  let lastStamp = 0;
  // Strictly increasing milliseconds, so two quick adds keep their order.
  function stamp() {
    lastStamp = Math.max(Date.now(), lastStamp + 1);
    return lastStamp;
  }

  // ---- Object URLs and progress ------------------------------------------------------------------

  const urls = new Map(); // image id -> object URL; reused so repeated reads do not leak
  const itemImageIds = new Set(); // ids whose URL items() handed out, checked for removal later
  const localProgress = new Map(); // image id -> 0..1 while this context uploads it
  let remoteProgress = new Map(); // the same, as last reported by the context sending
  let sendingHere = false; // this context is inside send(): its progress is the one to share

  function urlFor(id, blob) {
    if (typeof URL.createObjectURL !== 'function') return null; // not in a service worker
    let url = urls.get(id);
    if (!url) {
      url = URL.createObjectURL(blob);
      urls.set(id, url);
    }
    return url;
  }

  function revoke(id) {
    const url = urls.get(id);
    if (url) URL.revokeObjectURL(url);
    urls.delete(id);
    itemImageIds.delete(id);
    localProgress.delete(id);
    remoteProgress.delete(id);
  }

  function progressOf(item, image) {
    if (image.attachmentId != null) return 1;
    if (item.state !== 'sending') return 0;
    return localProgress.get(image.id) ?? remoteProgress.get(image.id) ?? 0;
  }

  // ---- Change notification -----------------------------------------------------------------------

  const listeners = new Set();
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : null;
  let emitQueued = false;
  let progressTimer = 0;
  let anyQueued = true; // drives the page's periodic flush; recomputed by every flush

  // Coalesces bursts (state + progress + broadcast) into one callback per microtask.
  function emit() {
    if (emitQueued) return;
    emitQueued = true;
    queueMicrotask(() => {
      emitQueued = false;
      for (const cb of listeners) {
        try { cb(); } catch (e) { console.error(e); }
      }
    });
  }

  function notify() {
    emit();
    if (channel) channel.postMessage({ progress: sendingHere ? [...localProgress] : null });
  }

  if (channel) {
    channel.onmessage = (e) => {
      // Another tab signed in or out: its `enter` is the one to wait for no longer.
      if (e.data && 'account' in e.data) entering = null;
      // Only the (single, locked) sender shares progress; its snapshot replaces the last one.
      if (e.data && e.data.progress) remoteProgress = new Map(e.data.progress);
      anyQueued = true; // another context changed things; let the next periodic flush look
      emit();
    };
  }

  // Upload progress arrives many times a second; tell listeners at most ~10 times a second.
  function setProgress(id, p) {
    localProgress.set(id, Math.min(p, 0.99)); // 1 only once the server has confirmed
    if (!progressTimer) progressTimer = setTimeout(() => { progressTimer = 0; notify(); }, 100);
  }

  // ---- Image preparation ------------------------------------------------------------------------

  async function encode(bitmap, width, height) {
    let canvas = null;
    let ctx = null;
    if (typeof OffscreenCanvas !== 'undefined') {
      try {
        canvas = new OffscreenCanvas(width, height);
        ctx = canvas.getContext('2d'); // null on browsers with OffscreenCanvas but no 2d context
      } catch (_) { ctx = null; }
    }
    if (!ctx) {
      if (typeof document === 'undefined') return null;
      canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      ctx = canvas.getContext('2d');
      if (!ctx) return null;
    }
    ctx.fillStyle = '#fff'; // transparent areas would turn black in JPEG
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    const toBlob = (type) => (canvas.convertToBlob
      ? canvas.convertToBlob({ type, quality: QUALITY })
      : new Promise((resolve) => canvas.toBlob(resolve, type, QUALITY)));
    // Browsers without a WebP encoder silently hand back PNG; check what came out.
    const webp = await toBlob('image/webp');
    if (webp && webp.type === 'image/webp') return webp;
    return toBlob('image/jpeg');
  }

  async function decode(file) {
    try {
      return await createImageBitmap(file, { imageOrientation: 'from-image' });
    } catch (e) {
      // Engines predating 'from-image' (Safari 16, older Chromium) reject the value with a
      // TypeError; they apply the EXIF orientation by default.
      if (e instanceof TypeError) return createImageBitmap(file);
      throw e;
    }
  }

  // Downscales and re-encodes (which also drops EXIF, GPS included). What the browser cannot
  // decode (HEIC on most, non-images) goes up unchanged and the server explains the refusal.
  async function shrink(file) {
    const name = file.name || 'image';
    const original = { blob: file, name, width: 0, height: 0 };
    let bitmap;
    try {
      bitmap = await decode(file);
    } catch (_) {
      return original;
    }
    try {
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const width = Math.max(1, Math.round(bitmap.width * scale));
      const height = Math.max(1, Math.round(bitmap.height * scale));
      const blob = await encode(bitmap, width, height);
      if (!blob) return original;
      const ext = blob.type === 'image/webp' ? '.webp' : '.jpg';
      return { blob, name: name.replace(/\.[^.]*$/, '') + ext, width, height };
    } catch (_) {
      return original;
    } finally {
      bitmap.close();
    }
  }

  // ---- The account and its key -----------------------------------------------------------------

  const pagesCacheOf = (owner) => PAGES_CACHE_PREFIX + owner;
  const scopeOf = (owner, draftKey) => owner + '|' + draftKey;

  // The signed-in account with its key, as this phone last recorded it; null when nobody is.
  // Read from IndexedDB every time, so every tab and the service worker agree.
  async function current() {
    return withTx(['meta', 'keys'], 'readonly', async (t) => {
      const meta = await req(t.objectStore('meta').get('account'));
      if (!meta) return null;
      const stored = await req(t.objectStore('keys').get(meta.owner));
      return { owner: meta.owner, key: stored ? stored.key : null };
    });
  }

  async function sealed() {
    const account = await current();
    if (!account || !account.key) throw new Error('no_key');
    return account;
  }

  async function fetchKey(owner) {
    const res = await fetch(KEY_URL, {
      method: 'POST', credentials: 'same-origin', body: '{}',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT),
    });
    const body = await res.json();
    if (!res.ok || body.owner !== owner) throw new Error('no_key');
    const raw = Uint8Array.from(atob(body.key), (c) => c.charCodeAt(0));
    // Not extractable: script on the page can use it, never read it out.
    return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  }

  async function sealBytes(key, bytes) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    return { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes) };
  }
  const openBytes = (key, box) => crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv }, key, box.data);
  const sealJson = (key, value) => sealBytes(key, new TextEncoder().encode(JSON.stringify(value)));
  const openJson = async (key, box) => JSON.parse(new TextDecoder().decode(await openBytes(key, box)));
  async function sealBlob(key, blob) {
    return { ...(await sealBytes(key, await blob.arrayBuffer())), type: blob.type };
  }
  const openBlob = async (key, box) => new Blob([await openBytes(key, box)], { type: box.type });

  async function deletePageCaches(keep) {
    if (typeof caches === 'undefined') return;
    const names = await caches.keys().catch(() => []);
    await Promise.all(names
      .filter((n) => n.startsWith('desk-pages-') && n !== keep)
      .map((n) => caches.delete(n).catch(() => {})));
  }

  function forgetLegacyTexts() {
    if (!inWindow || !window.localStorage) return;
    for (const name of Object.keys(window.localStorage)) {
      if (name.startsWith(LEGACY_TEXT_PREFIX)) window.localStorage.removeItem(name);
    }
  }

  // Removes drafts and keys of every account but `owner` (null: of every account).
  async function forgetOthers(owner) {
    const gone = await withTx(['drafts', 'texts', 'keys'], 'readwrite', async (t) => {
      const drafts = t.objectStore('drafts');
      const removed = [];
      for (const r of await req(drafts.getAll())) {
        if (r.owner !== owner) { drafts.delete(r.id); removed.push(r.id); }
      }
      const texts = t.objectStore('texts');
      for (const r of await req(texts.getAll())) if (r.owner !== owner) texts.delete(r.scope);
      const keys = t.objectStore('keys');
      for (const r of await req(keys.getAll())) if (r.owner !== owner) keys.delete(r.owner);
      return removed;
    });
    gone.forEach(revoke);
    await deletePageCaches(owner == null ? null : pagesCacheOf(owner));
    forgetLegacyTexts();
  }

  // Items an earlier version queued in clear: sealed for their owner once that account is here.
  async function sealLegacy(account) {
    const legacy = (await readAll()).filter((it) => !it.sealed && it.payload
      && (it.owner === account.owner || (it.payload && it.payload.owner_id === account.owner)));
    for (const it of legacy) {
      const box = await sealJson(account.key, it.payload);
      const images = [];
      for (const im of it.images) {
        const { blob, ...rest } = im;
        images.push({ ...rest, sealed: blob ? await sealBlob(account.key, blob) : rest.sealed });
      }
      await update(it.id, (stored) => {
        delete stored.payload;
        Object.assign(stored, { owner: account.owner, sealed: box, images });
      });
    }
  }

  let entering = null;
  let enterFailed = null; // the account whose key could not be fetched yet (offline)
  // The page's signed-in reporter: anything of another account removed, their key fetched (or
  // found), and what an earlier version kept in clear sealed.
  function enter(owner) {
    entering = (async () => {
      const before = await withTx(['meta'], 'readonly', (t) => req(t.objectStore('meta').get('account')));
      if (!before || before.owner !== owner) await forgetOthers(owner);
      await withTx(['meta'], 'readwrite', (t) => { t.objectStore('meta').put({ name: 'account', owner }); });
      forgetLegacyTexts();
      let stored = await withTx(['keys'], 'readonly', (t) => req(t.objectStore('keys').get(owner)));
      if (!stored) {
        stored = { owner, key: await fetchKey(owner) };
        await withTx(['keys'], 'readwrite', (t) => { t.objectStore('keys').put(stored); });
      }
      enterFailed = null;
      await sealLegacy(stored);
      anyQueued = true;
      if (channel) channel.postMessage({ account: owner });
      notify();
      kick();
    })();
    entering.catch((e) => {
      enterFailed = owner;
      console.warn('DeskOutbox: no storage key yet', e);
    });
    return entering;
  }

  // Waits for a page's `enter` before the first read, so a form never restores under no key.
  async function ready() {
    if (entering) await entering.catch(() => {});
    return current();
  }

  // Signing out: the account's drafts, key and cached pages go; its unsent items stay sealed
  // (or go too when `discardUnsent`).
  async function leave(discardUnsent) {
    const account = await current();
    const owner = account ? account.owner : null;
    const removed = await withTx(['drafts', 'texts', 'keys', 'meta', 'outbox'], 'readwrite', async (t) => {
      const ids = [];
      const drafts = t.objectStore('drafts');
      for (const r of await req(drafts.getAll())) if (r.owner === owner) { drafts.delete(r.id); ids.push(r.id); }
      const texts = t.objectStore('texts');
      for (const r of await req(texts.getAll())) if (r.owner === owner) texts.delete(r.scope);
      if (owner != null) t.objectStore('keys').delete(owner);
      t.objectStore('meta').delete('account');
      if (discardUnsent) {
        const outbox = t.objectStore('outbox');
        for (const it of await req(outbox.getAll())) {
          if (it.owner === owner && it.state !== 'sent') {
            outbox.delete(it.id);
            ids.push(...it.images.map((im) => im.id));
          }
        }
      }
      return ids;
    });
    removed.forEach(revoke);
    entering = null;
    await deletePageCaches(null);
    forgetLegacyTexts();
    if (inWindow && navigator.serviceWorker) {
      const reg = await navigator.serviceWorker.getRegistration().catch(() => null);
      if (reg && reg.active) reg.active.postMessage({ type: 'clear-private' });
    }
    if (channel) channel.postMessage({ account: null });
    notify();
  }

  // ---- Text drafts -------------------------------------------------------------------------------

  const textWrites = new Map(); // scope -> the last write, so writes land in the order made

  async function loadText(draftKey) {
    const account = await ready();
    if (!account || !account.key) return JSON.stringify(null);
    const row = await withTx(['texts'], 'readonly', (t) => req(t.objectStore('texts').get(scopeOf(account.owner, draftKey))));
    if (!row) return JSON.stringify(null);
    try {
      return JSON.stringify(await openJson(account.key, row.sealed));
    } catch (_) {
      return JSON.stringify(null);
    }
  }

  function saveText(draftKey, text) {
    const write = async () => {
      const account = await ready();
      if (!account || !account.key) return;
      const scope = scopeOf(account.owner, draftKey);
      if (!text) {
        await withTx(['texts'], 'readwrite', (t) => { t.objectStore('texts').delete(scope); });
        return;
      }
      const box = await sealJson(account.key, text);
      await withTx(['texts'], 'readwrite', (t) => {
        t.objectStore('texts').put({ scope, owner: account.owner, sealed: box });
      });
    };
    const previous = textWrites.get(draftKey) || Promise.resolve();
    const next = previous.then(write, write);
    textWrites.set(draftKey, next.catch(() => {}));
    return next;
  }

  // ---- Draft photos ------------------------------------------------------------------------------

  async function draftView(account, r) {
    const url = urls.get(r.id) || urlFor(r.id, await openBlob(account.key, r.sealed));
    return { id: r.id, url, bytes: r.bytes, width: r.width, height: r.height, name: r.name };
  }

  async function draftImages(draftKey) {
    const account = await ready();
    if (!account || !account.key) return JSON.stringify([]);
    const scope = scopeOf(account.owner, draftKey);
    const rows = await withTx(['drafts'], 'readonly', (t) => draftRows(t.objectStore('drafts'), scope));
    return JSON.stringify(await Promise.all(rows.map((r) => draftView(account, r))));
  }

  function countDraft(store, scope) {
    return req(store.index('byDraft').count(scope));
  }

  async function addDraftImage(draftKey, file) {
    const account = await sealed();
    const scope = scopeOf(account.owner, draftKey);
    // Checked before the costly decode, and again when storing: two quick picks can race.
    const count = await withTx(['drafts'], 'readonly', (t) => countDraft(t.objectStore('drafts'), scope));
    if (count >= MAX_IMAGES) throw new Error('too_many');
    const s = await shrink(file);
    const row = {
      id: crypto.randomUUID(), owner: account.owner, scope, sealed: await sealBlob(account.key, s.blob),
      name: s.name, bytes: s.blob.size, width: s.width, height: s.height, addedAt: stamp(),
    };
    await withTx(['drafts'], 'readwrite', async (t) => {
      const store = t.objectStore('drafts');
      if ((await countDraft(store, scope)) >= MAX_IMAGES) throw new Error('too_many');
      store.add(row);
    });
    urlFor(row.id, s.blob);
    return JSON.stringify(await draftView(account, row));
  }

  async function removeDraftImage(draftKey, id) {
    const account = await current();
    if (!account) return;
    const scope = scopeOf(account.owner, draftKey);
    const removed = await withTx(['drafts'], 'readwrite', async (t) => {
      const store = t.objectStore('drafts');
      const row = await req(store.get(id));
      if (!row || row.scope !== scope) return false;
      store.delete(id);
      return true;
    });
    if (removed) revoke(id);
  }

  // ---- Outbox ------------------------------------------------------------------------------------

  async function submit(kind, draftKey, incidentNumber, payloadJson) {
    if (kind !== 'report' && kind !== 'message') throw new Error('bad_kind');
    const account = await sealed();
    const box = await sealJson(account.key, JSON.parse(payloadJson));
    const scope = scopeOf(account.owner, draftKey);
    const id = crypto.randomUUID();
    await withTx(['drafts', 'outbox', 'texts'], 'readwrite', async (t) => {
      const drafts = t.objectStore('drafts');
      const rows = await draftRows(drafts, scope);
      t.objectStore('outbox').add({
        id, kind, owner: account.owner, state: 'queued', error: null, createdAt: stamp(),
        incidentNumber: incidentNumber || null, sealed: box,
        // Image ids stay the same, so cached object URLs and upload client_ids carry over.
        images: rows.map((r) => ({
          id: r.id, sealed: r.sealed, name: r.name, bytes: r.bytes, width: r.width, height: r.height,
          attachmentId: null,
        })),
        result: null, attempts: 0, nextAttemptAt: 0,
      });
      for (const r of rows) drafts.delete(r.id);
      t.objectStore('texts').delete(scope);
    });
    anyQueued = true;
    notify();
    registerSync();
    kick();
    return id;
  }

  async function registerSync() {
    try {
      const reg = inWindow
        ? await (navigator.serviceWorker && navigator.serviceWorker.getRegistration())
        : self.registration;
      if (reg && 'sync' in reg) await reg.sync.register(CHANNEL);
    } catch (_) { /* unsupported or refused: the page's own triggers still flush */ }
  }

  // The signed-in account's items (still sealed), nobody else's; `all` holds every account's.
  async function mine() {
    const account = await ready();
    const all = await readAll();
    const own = account && account.key
      ? all.filter((it) => it.owner === account.owner && it.sealed)
      : [];
    return { account, items: own, all };
  }

  async function items(kind, incidentNumber) {
    const { account, items: own, all } = await mine();
    // Items removed by another tab or the worker: free their URLs here.
    const live = new Set(all.flatMap((it) => it.images.map((im) => im.id)));
    for (const id of [...itemImageIds]) if (!live.has(id)) revoke(id);
    const out = [];
    for (const it of own.filter((x) => x.kind === kind && (incidentNumber == null || x.incidentNumber === incidentNumber)).sort(byCreated)) {
      let payload;
      try { payload = await openJson(account.key, it.sealed); } catch (_) { continue; }
      const images = [];
      for (const im of it.images) {
        itemImageIds.add(im.id);
        const url = urls.get(im.id) || urlFor(im.id, await openBlob(account.key, im.sealed));
        images.push({ id: im.id, url, progress: progressOf(it, im) });
      }
      out.push({
        id: it.id, kind: it.kind, state: it.state, error: it.error, createdAt: it.createdAt,
        stuck: it.state === 'queued' && (it.attempts || 0) >= STUCK_AFTER,
        incidentNumber: it.incidentNumber, payload, result: it.result, images,
      });
    }
    return JSON.stringify(out);
  }

  async function retry(id) {
    const account = await current();
    const changed = await withTx(['outbox'], 'readwrite', async (t) => {
      const store = t.objectStore('outbox');
      const item = await req(store.get(id));
      // A queued item waiting out its back-off may be retried at once too.
      if (!item || !account || item.owner !== account.owner) return false;
      if (item.state !== 'failed' && item.state !== 'queued') return false;
      Object.assign(item, { state: 'queued', error: null, attempts: 0, nextAttemptAt: 0 });
      store.put(item);
      return true;
    });
    if (changed) {
      anyQueued = true;
      notify();
    }
    kick();
  }

  async function removeItem(id, allowed) {
    const account = await current();
    const item = await withTx(['outbox'], 'readwrite', async (t) => {
      const store = t.objectStore('outbox');
      const found = await req(store.get(id));
      if (!found || !account || found.owner !== account.owner || !allowed(found)) return null;
      store.delete(id);
      return found;
    });
    if (item) {
      for (const im of item.images) revoke(im.id);
      notify();
    }
  }

  // A refused item goes back to being a draft (text and images) of the same account, so the user
  // can correct it instead of losing what they wrote. Answers the item's payload as JSON.
  async function restore(id, draftKey) {
    const account = await sealed();
    const scope = scopeOf(account.owner, draftKey);
    const box = await withTx(['drafts', 'outbox'], 'readwrite', async (t) => {
      const outbox = t.objectStore('outbox');
      const item = await req(outbox.get(id));
      if (!item || item.owner !== account.owner || item.state !== 'failed') return null;
      const drafts = t.objectStore('drafts');
      const count = await req(drafts.index('byDraft').count(scope));
      item.images.slice(0, Math.max(0, MAX_IMAGES - count)).forEach((im) => drafts.put({
        id: im.id, owner: account.owner, scope, sealed: im.sealed, name: im.name, bytes: im.bytes,
        width: im.width, height: im.height, addedAt: stamp(),
      }));
      outbox.delete(id);
      return item.sealed;
    });
    if (box === null) throw new Error('not_failed');
    notify();
    return JSON.stringify(await openJson(account.key, box));
  }

  function discard(id) {
    return removeItem(id, (it) => {
      if (it.state === 'sending') throw new Error('sending'); // the server may be storing it now
      return true;
    });
  }

  function forget(id) {
    return removeItem(id, (it) => it.state === 'sent');
  }

  // How many of the signed-in account's items are not sent yet.
  async function pending() {
    const { items: own } = await mine();
    return JSON.stringify(own.filter((it) => it.state !== 'sent').length);
  }

  function onChange(callback) {
    listeners.add(callback);
  }

  // ---- Sending -----------------------------------------------------------------------------------

  // Turns a response into its JSON body or throws. An API answering with a redirect has landed
  // on the sign-in page: the session is gone, so it counts as 401.
  function answer(res) {
    let body = null;
    try { body = JSON.parse(res.text); } catch (_) { /* an HTML error page or a captive portal */ }
    const status = res.redirected ? 401 : res.status;
    if (status === 0) throw new NetError();
    if (status >= 200 && status < 300 && body && typeof body === 'object') return body;
    const message = body && typeof body.message === 'string' && body.message ? body.message : 'HTTP ' + status;
    throw new HttpError(status, message, body);
  }

  // Uploads the server deleted because no report took them within a day: answered 410 with
  // their ids, to be uploaded again from the copies kept here.
  function goneUploads(e) {
    const gone = e instanceof HttpError && e.status === 410 && e.body && e.body.error;
    return gone && gone.kind === 'AttachmentsGone' && Array.isArray(gone.ids) ? gone.ids : null;
  }

  const retryable = (status) => status < 400 || status >= 500 || status === 401 || status === 408 || status === 429;

  async function post(url, init) {
    try {
      const res = await fetch(url, {
        ...init, method: 'POST', credentials: 'same-origin', signal: AbortSignal.timeout(FETCH_TIMEOUT),
      });
      return { status: res.status, text: await res.text(), redirected: res.redirected };
    } catch (_) {
      throw new NetError(); // includes the timeout
    }
  }

  // XMLHttpRequest because fetch reports no upload progress.
  function xhrPost(url, body, onProgress) {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      let timer = 0;
      const stall = () => { clearTimeout(timer); timer = setTimeout(() => x.abort(), STALL_TIMEOUT); };
      x.open('POST', url);
      x.setRequestHeader('Accept', 'application/json');
      x.upload.onprogress = (e) => { stall(); if (e.lengthComputable && e.total) onProgress(e.loaded / e.total); };
      x.upload.onload = stall; // now waiting for the server's answer
      x.onload = () => {
        clearTimeout(timer);
        const redirected = !!x.responseURL && new URL(x.responseURL).pathname !== url;
        resolve({ status: x.status, text: x.responseText, redirected });
      };
      x.onerror = x.onabort = x.ontimeout = () => { clearTimeout(timer); reject(new NetError()); };
      stall();
      x.send(body);
    });
  }

  async function upload(image, owner, key) {
    const form = new FormData();
    form.append('client_id', image.id);
    // The account that wrote the item: the server refuses it under anybody else's session.
    if (owner != null) form.append('owner_id', String(owner));
    form.append('file', await openBlob(key, image.sealed), image.name || 'image');
    const res = inWindow
      ? await xhrPost(UPLOAD_URL, form, (p) => setProgress(image.id, p))
      : await post(UPLOAD_URL, { body: form, headers: { Accept: 'application/json' } });
    const body = answer(res);
    if (body.id == null) throw new HttpError(res.status, 'HTTP ' + res.status);
    return body;
  }

  // Sends one item of `account`. Returns false when the network is gone, so the caller stops.
  async function send(item, account) {
    sendingHere = true;
    try {
      await update(item.id, (it) => { it.state = 'sending'; });
      notify();
      const payload = await openJson(account.key, item.sealed);
      const ids = [];
      for (const image of item.images) {
        if (image.attachmentId == null) {
          const { id } = await upload(image, payload.owner_id, account.key);
          image.attachmentId = id;
          localProgress.delete(image.id);
          // Stored at once, so a retry after a later failure skips this image.
          await update(item.id, (it) => {
            const stored = it.images.find((im) => im.id === image.id);
            if (stored) stored.attachmentId = id;
          });
          notify();
        }
        ids.push(image.attachmentId);
      }
      const body = item.kind === 'report'
        ? { ...payload, client_id: item.id, attachment_ids: ids }
        : { ...payload, client_id: item.id, incident_number: item.incidentNumber, attachment_ids: ids };
      const res = await post(item.kind === 'report' ? '/api/m/reports' : '/api/m/messages', {
        body: JSON.stringify(body),
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      });
      const result = answer(res);
      await update(item.id, (it) => Object.assign(it, { state: 'sent', result, error: null }));
      return true;
    } catch (e) {
      const offline = e instanceof NetError;
      const attempts = item.attempts || 0;
      const gone = goneUploads(e);
      if (gone && attempts < STUCK_AFTER) {
        // Upload those images again at once; counted, so a server that keeps answering this
        // cannot keep the phone busy.
        await update(item.id, (it) => {
          for (const image of it.images) if (gone.includes(image.attachmentId)) image.attachmentId = null;
          Object.assign(it, { state: 'queued', error: null, attempts: attempts + 1, nextAttemptAt: 0 });
        });
      } else if (offline || !(e instanceof HttpError) || retryable(e.status)) {
        // Offline: no back-off and no count, the 'online' event or the next periodic flush
        // sends it at once. Server trouble: back off, and after STUCK_AFTER tries the page
        // shows the item as stuck (still retrying) with the last error and what to do.
        const wait = offline ? 0 : Date.now() + Math.min(60000, 2000 * 2 ** attempts);
        const error = offline ? 'offline' : String(e.message || e);
        const tries = offline ? attempts : attempts + 1;
        await update(item.id, (it) => Object.assign(it, { state: 'queued', error, attempts: tries, nextAttemptAt: wait }));
      } else {
        await update(item.id, (it) => Object.assign(it, { state: 'failed', error: e.message }));
      }
      return !offline;
    } finally {
      for (const image of item.images) localProgress.delete(image.id);
      notify(); // still as sender: the empty snapshot clears other tabs' progress
      sendingHere = false;
    }
  }

  async function requeueOrphans() {
    const changed = await withTx(['outbox'], 'readwrite', async (t) => {
      const store = t.objectStore('outbox');
      let n = 0;
      for (const it of await req(store.getAll())) {
        if (it.state === 'sending') {
          it.state = 'queued';
          store.put(it);
          n += 1;
        }
      }
      return n;
    });
    if (changed) notify();
  }

  let firstRun = true;
  async function run() {
    // Under the lock nobody else is sending, so a 'sending' item belongs to a page or worker that
    // died mid-send. Without locks only a page's first flush can assume that.
    if (navigator.locks || (inWindow && firstRun)) await requeueOrphans();
    firstRun = false;
    for (;;) {
      const now = Date.now();
      // Only the signed-in account's items: others wait, sealed, for their account.
      const { account, items: all } = await mine();
      anyQueued = all.some((it) => it.state === 'queued');
      const due = all.filter((it) => it.state === 'queued' && it.nextAttemptAt <= now).sort(byCreated);
      if (!due.length) {
        scheduleRetry(all);
        return true;
      }
      if (!(await send(due[0], account))) return false;
    }
  }

  let retryTimer = 0;
  // A back-off may end long before the next periodic flush; wake up for it in a page.
  function scheduleRetry(all) {
    if (!inWindow) return;
    const next = Math.min(...all.filter((it) => it.state === 'queued' && it.nextAttemptAt > 0).map((it) => it.nextAttemptAt));
    clearTimeout(retryTimer);
    if (Number.isFinite(next)) retryTimer = setTimeout(kick, Math.max(0, next - Date.now()) + 50);
  }

  let flushing = null;
  let again = false;
  // Resolves true when everything due was handled, false when stopped by a network failure.
  function flush() {
    if (flushing) {
      again = true; // something changed mid-run; look once more before letting go
      return flushing;
    }
    flushing = (async () => {
      let ok = true;
      try {
        do {
          again = false;
          // One sender across tabs and the worker; the server is idempotent anyway.
          ok = await (navigator.locks ? navigator.locks.request(CHANNEL, run) : run());
        } while (again && ok);
      } finally {
        flushing = null;
      }
      return ok;
    })();
    return flushing;
  }

  function kick() {
    flush().catch((e) => console.warn('DeskOutbox: flush failed', e));
  }

  // Signed in to the reporter app: make sure its start pages are kept for offline use (the
  // worker may have been installed on the sign-in page, with nothing to keep then).
  async function warm() {
    if (!inWindow || !('serviceWorker' in navigator)) return;
    const reg = await navigator.serviceWorker.ready;
    if (reg.active) reg.active.postMessage({ type: 'warm' });
  }

  self.DeskOutbox = {
    draftImages, addDraftImage, removeDraftImage, submit, items, retry, restore, discard, forget,
    flush, onChange, pending, warm, enter, leave, loadText, saveText, current, pagesCacheOf,
  };

  // ---- Page start-up -----------------------------------------------------------------------------

  if (inWindow) {
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/sw.js', { scope: '/' })
        .catch((e) => console.warn('DeskOutbox: service worker not registered', e));
      navigator.serviceWorker.addEventListener('message', (e) => {
        if (e.data && e.data.type === 'flush') kick();
      });

    }
    // On the sign-in page nobody is signed in here: a key left by a sign-out before the app had
    // loaded (or by an expired session) goes, and with it any way to read what is sealed.
    if (location.pathname === '/login') {
      withTx(['keys'], 'readwrite', (t) => { t.objectStore('keys').clear(); })
        .then(() => deletePageCaches(null))
        .catch((e) => console.warn('DeskOutbox: keys not cleared', e));
    }
    window.addEventListener('online', () => {
      if (enterFailed != null) enter(enterFailed);
      kick();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') kick();
    });
    setInterval(() => { if (navigator.onLine && anyQueued) kick(); }, 20000);
    // After load: on a slow network the first flush must not compete with the app's own files.
    if (document.readyState === 'complete') kick();
    else window.addEventListener('load', kick, { once: true });
  }
})();
