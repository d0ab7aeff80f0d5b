// Suggestions under the help center's search box as a reader types: live articles from
// /api/help/suggest, as links. Without this script (or without a network) the box is the plain
// search form it always was.
(() => {
  const input = document.getElementById('help-q');
  const list = document.getElementById('help-suggestions');
  if (!input || !list) return;
  const system = input.dataset.suggestSystem || '';
  let timer = 0;
  let asked = '';
  let pending = null;

  const show = (articles) => {
    list.replaceChildren(...articles.map(({ slug, title }) => {
      const link = document.createElement('a');
      link.href = `/help/a/${encodeURIComponent(slug)}`;
      link.textContent = title;
      link.className = 'block px-3 py-2 text-sky-800 hover:bg-sky-50';
      const item = document.createElement('li');
      item.append(link);
      return item;
    }));
    list.hidden = articles.length === 0;
  };

  const ask = async () => {
    const q = input.value.trim();
    if (q === asked) return;
    asked = q;
    pending?.abort();
    if (!q) return show([]);
    pending = new AbortController();
    const params = new URLSearchParams({ q });
    if (system) params.set('system', system);
    try {
      const answer = await fetch(`/api/help/suggest?${params}`, { signal: pending.signal });
      if (answer.ok && input.value.trim() === q) show(await answer.json());
    } catch {
      // Superseded or offline: the form still searches.
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') show([]);
  });
  document.addEventListener('click', (event) => {
    if (!list.contains(event.target) && event.target !== input) list.hidden = true;
  });
})();
