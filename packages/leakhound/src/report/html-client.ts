// The report page's own CSS and script, inlined into every report. Plain
// browser JS (no framework, no build step). Rule for this code: data from the
// report goes into the page through textContent / setAttribute only, never
// innerHTML, so a crafted snapshot string stays text.
// (Written without template literals so it can live in a String.raw block.)

export const CLIENT_CSS = String.raw`
:root { --fg:#1d2330; --muted:#5c667a; --bg:#f6f7f9; --card:#fff; --line:#dde1e8; --accent:#2459c9; --bad:#b3261e; --hit:#fff2a8; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
header { position:sticky; top:0; z-index:5; background:#18203a; color:#fff; padding:8px 16px; display:flex; flex-wrap:wrap; gap:8px 16px; align-items:center; }
header h1 { font-size:16px; margin:0; font-weight:600; }
header nav a { color:#c9d6ff; margin-right:12px; text-decoration:none; }
header nav a:hover { text-decoration:underline; }
#lh-search { margin-left:auto; min-width:220px; flex:0 1 340px; padding:5px 8px; border-radius:4px; border:1px solid #55607d; background:#232c4a; color:#fff; }
main { max-width:1200px; margin:0 auto; padding:12px 16px 48px; }
section { background:var(--card); border:1px solid var(--line); border-radius:6px; margin:14px 0; padding:12px 16px; }
section > h2 { font-size:15px; margin:0 0 10px; }
.muted { color:var(--muted); }
.facts { display:grid; grid-template-columns:repeat(auto-fill, minmax(190px, 1fr)); gap:8px; }
.fact { border:1px solid var(--line); border-radius:4px; padding:6px 8px; }
.fact .k { color:var(--muted); font-size:12px; }
.fact .v { font-size:16px; font-weight:600; overflow-wrap:anywhere; }
.notes { margin:10px 0 0; padding-left:18px; color:var(--muted); font-size:13px; }
.finding { border:1px solid var(--line); border-left:4px solid var(--bad); border-radius:4px; margin:8px 0; }
.finding > summary { cursor:pointer; padding:8px 10px; list-style-position:inside; }
.finding .ftitle { font-weight:600; }
.finding .fsum { display:block; margin-top:2px; overflow-wrap:anywhere; }
.finding .body { padding:0 12px 10px; }
.finding .body li { overflow-wrap:anywhere; }
.finding dl { display:grid; grid-template-columns:max-content 1fr; gap:2px 12px; margin:6px 0; }
.finding dt { color:var(--muted); }
.finding dd { margin:0; overflow-wrap:anywhere; }
ol.path { margin:6px 0; padding-left:22px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12.5px; }
ol.path li { margin:1px 0; overflow-wrap:anywhere; }
.edge { color:var(--accent); }
.type { color:var(--muted); }
.loc { color:#1b7a3a; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:3px 8px; border-bottom:1px solid var(--line); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
th { cursor:pointer; user-select:none; background:#f0f2f6; position:sticky; top:0; }
th[aria-sort="ascending"]::after { content:" \25B2"; }
th[aria-sort="descending"]::after { content:" \25BC"; }
td.cls { overflow-wrap:anywhere; }
.tablewrap { max-height:520px; overflow:auto; border:1px solid var(--line); }
.toolbar { display:flex; gap:10px; align-items:center; margin-bottom:8px; flex-wrap:wrap; }
.toolbar input { padding:4px 6px; border:1px solid var(--line); border-radius:4px; min-width:200px; }
ul.tree, ul.tree ul { list-style:none; margin:0; padding-left:18px; }
ul.tree { padding-left:0; font-size:13px; }
.tnode { display:flex; gap:6px; align-items:baseline; padding:1px 0; }
.tnode button.toggle { width:20px; border:0; background:none; cursor:pointer; font-size:12px; padding:0; color:var(--accent); }
.tnode button.toggle:disabled { color:transparent; cursor:default; }
.tnode .tname { overflow-wrap:anywhere; }
.tnode .tsize { font-variant-numeric:tabular-nums; min-width:76px; text-align:right; font-weight:600; }
.hit { background:var(--hit); }
.omitted { color:var(--muted); font-style:italic; padding-left:26px; }
#lh-treemap svg { width:100%; height:420px; display:block; border:1px solid var(--line); background:#fafbfc; }
#lh-treemap rect { stroke:#fff; stroke-width:1; cursor:pointer; }
#lh-treemap text { font-size:11px; fill:#10131a; pointer-events:none; }
.crumbs button { border:0; background:none; color:var(--accent); cursor:pointer; padding:0 2px; }
#lh-search-results h3 { font-size:14px; margin:12px 0 4px; }
#lh-results { margin:0; padding-left:18px; }
#lh-results button { border:0; background:none; color:var(--accent); cursor:pointer; padding:0; text-align:left; }
.hidden { display:none !important; }
@media (max-width: 700px) { header { position:static; } #lh-search { margin-left:0; flex-basis:100%; } }
`;

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('lh-data').textContent);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function bytes(n) {
    var a = Math.abs(n), sign = n < 0 ? '-' : '';
    if (a < 1024) return sign + a + ' B';
    if (a < 1048576) return sign + (a / 1024).toFixed(1) + ' KB';
    if (a < 1073741824) return sign + (a / 1048576).toFixed(1) + ' MB';
    return sign + (a / 1073741824).toFixed(2) + ' GB';
  }
  function signed(n, fmt) { return (n > 0 ? '+' : '') + fmt(n); }
  function count(n) { return Number(n).toLocaleString('en-US'); }
  function lower(s) { return String(s).toLowerCase(); }

  var main = el('main');
  var header = el('header');
  header.appendChild(el('h1', '', data.title));
  var nav = el('nav');
  [['#lh-summary', 'Summary'], ['#lh-findings', 'Findings'], ['#lh-treemap', 'Treemap'], ['#lh-tree', 'Dominator tree'], ['#lh-histogram', 'Classes']].forEach(function (pair) {
    var a = el('a', '', pair[1]);
    a.setAttribute('href', pair[0]);
    nav.appendChild(a);
  });
  header.appendChild(nav);
  var search = el('input');
  search.id = 'lh-search';
  search.setAttribute('type', 'search');
  search.setAttribute('placeholder', 'Search classes, paths, findings, tree');
  search.setAttribute('aria-label', 'Search');
  header.appendChild(search);
  document.body.appendChild(header);
  document.body.appendChild(main);

  function section(id, title) {
    var s = el('section');
    s.id = id;
    s.appendChild(el('h2', '', title));
    main.appendChild(s);
    return s;
  }

  // Summary
  var summary = section('lh-summary', data.kind === 'diff' ? 'Diff summary' : 'Heap summary');
  var facts = el('div', 'facts');
  data.facts.forEach(function (f) {
    var box = el('div', 'fact');
    box.appendChild(el('div', 'k', f.label));
    box.appendChild(el('div', 'v', f.value));
    facts.appendChild(box);
  });
  summary.appendChild(facts);
  summary.appendChild(el('p', 'muted', 'Generated ' + data.generatedAt));
  if (data.notes.length) {
    var notes = el('ul', 'notes');
    data.notes.forEach(function (n) { notes.appendChild(el('li', '', n)); });
    summary.appendChild(notes);
  }
  var results = el('div', 'hidden');
  results.id = 'lh-search-results';
  results.appendChild(el('h3', '', 'Search results'));
  var resultList = el('ul');
  resultList.id = 'lh-results';
  results.appendChild(resultList);
  summary.appendChild(results);

  // Findings
  var findingsSection = section('lh-findings', 'Findings (' + data.findings.length + ')');
  var findingNodes = [];
  if (!data.findings.length) findingsSection.appendChild(el('p', 'muted', 'No findings.'));
  data.findings.forEach(function (f, i) {
    var d = el('details', 'finding');
    if (i < 3) d.open = true;
    var s = el('summary');
    s.appendChild(el('span', 'ftitle', f.title));
    s.appendChild(el('span', 'fsum', f.summary));
    d.appendChild(s);
    var body = el('div', 'body');
    var dl = el('dl');
    f.facts.forEach(function (fact) {
      dl.appendChild(el('dt', '', fact.label));
      dl.appendChild(el('dd', '', fact.value));
    });
    body.appendChild(dl);
    if (f.path.length) {
      var pd = el('details', 'pathbox');
      pd.open = i < 3;
      pd.appendChild(el('summary', '', 'Retainer path from a GC root (' + f.path.length + ' steps)'));
      var ol = el('ol', 'path');
      f.path.forEach(function (step, k) {
        var li = el('li');
        if (k > 0 || step.edgeName) li.appendChild(el('span', 'edge', '.' + step.edgeName + ' '));
        li.appendChild(el('span', 'cls', step.className));
        li.appendChild(el('span', 'type', ' (' + step.nodeType + ', ' + bytes(step.selfSize) + ', @' + step.nodeId + ')'));
        if (step.location) li.appendChild(el('span', 'loc', ' ' + step.location));
        ol.appendChild(li);
      });
      pd.appendChild(ol);
      body.appendChild(pd);
    }
    if (f.locations.length) {
      body.appendChild(el('div', 'muted', 'Source locations'));
      var ul = el('ul');
      f.locations.forEach(function (loc) {
        ul.appendChild(el('li', 'loc', loc.label + ': ' + loc.url + ':' + loc.line + ':' + loc.column));
      });
      body.appendChild(ul);
    }
    d.appendChild(body);
    findingsSection.appendChild(d);
    var text = [f.title, f.summary].concat(f.path.map(function (p) { return p.edgeName + ' ' + p.className; }), f.locations.map(function (l) { return l.url; })).join(' ');
    findingNodes.push({ node: d, text: lower(text) });
  });

  // Dominator tree (lazy: a node's children are built when it is opened)
  var tree = data.tree;
  var treeSection = section('lh-tree', 'Dominator tree');
  var treeRows = [];
  var parentOf = [];
  if (!tree) {
    treeSection.appendChild(el('p', 'muted', 'No dominator tree in this report.'));
  } else {
    treeSection.appendChild(el('p', 'muted', 'Top ' + tree.limits.maxChildren + ' children per node (by retained size), ' + tree.limits.maxDepth + ' levels deep, ' + tree.limits.maxNodes + ' nodes at most are embedded; the rest is counted on each node as "not embedded".'));
    for (var p = 0; p < tree.children.length; p++) tree.children[p].forEach(function (c) { parentOf[c] = p; });
    var rootList = el('ul', 'tree');
    treeSection.appendChild(rootList);
    var buildRow = function (i) {
      var li = el('li');
      var row = el('div', 'tnode');
      var toggle = el('button', 'toggle', tree.children[i].length ? '\u25B8' : '\u00B7');
      toggle.setAttribute('type', 'button');
      toggle.setAttribute('aria-expanded', 'false');
      if (!tree.children[i].length && !tree.omitted[i]) toggle.disabled = true;
      row.appendChild(toggle);
      row.appendChild(el('span', 'tsize', bytes(tree.retainedSize[i])));
      row.appendChild(el('span', 'tname', tree.name[i]));
      row.appendChild(el('span', 'type', tree.type[i] + ', self ' + bytes(tree.selfSize[i]) + ', @' + tree.id[i]));
      li.appendChild(row);
      treeRows[i] = { li: li, row: row, toggle: toggle, list: null };
      toggle.addEventListener('click', function () { setOpen(i, toggle.getAttribute('aria-expanded') !== 'true'); });
      return li;
    };
    var setOpen = function (i, open) {
      var r = treeRows[i];
      if (!r) return;
      if (open && !r.list) {
        r.list = el('ul');
        tree.children[i].forEach(function (c) { r.list.appendChild(buildRow(c)); });
        if (tree.omitted[i]) r.list.appendChild(el('li', 'omitted', tree.omitted[i] + ' more children (' + bytes(tree.omittedSize[i]) + ' retained) not embedded'));
        r.li.appendChild(r.list);
      }
      if (r.list) r.list.classList.toggle('hidden', !open);
      r.toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (tree.children[i].length) r.toggle.textContent = open ? '\u25BE' : '\u25B8';
    };
    rootList.appendChild(buildRow(0));
    setOpen(0, true);
    var reveal = function (i) {
      var chain = [];
      for (var x = i; x !== undefined; x = parentOf[x]) chain.unshift(x);
      chain.forEach(function (x, k) { if (k < chain.length - 1) setOpen(x, true); });
      var r = treeRows[i];
      if (!r) return;
      treeSection.querySelectorAll('.tnode.hit').forEach(function (n) { n.classList.remove('hit'); });
      r.row.classList.add('hit');
      r.row.scrollIntoView({ block: 'center' });
    };
  }

  // Treemap of the dominator tree, two levels, click to zoom
  var mapSection = section('lh-treemap', 'Retained size treemap');
  var SVGNS = 'http://www.w3.org/2000/svg';
  if (!tree) {
    mapSection.appendChild(el('p', 'muted', 'No dominator tree in this report.'));
  } else {
    var crumbs = el('div', 'crumbs');
    mapSection.appendChild(crumbs);
    var svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', '0 0 1000 420');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    mapSection.appendChild(svg);
    var palette = ['#8fb3f0', '#f0b38f', '#a6dba0', '#e3a6d8', '#f2da85', '#9fd8d8', '#c7b6f0', '#f0a0a0'];
    var squarify = function (items, x, y, w, h) {
      var out = [];
      var total = items.reduce(function (s, it) { return s + it.v; }, 0);
      if (total <= 0) return out;
      var scale = (w * h) / total;
      var rest = items.map(function (it) { return { i: it.i, a: it.v * scale }; });
      while (rest.length) {
        var short = Math.min(w, h);
        var row = [], rowSum = 0, best = Infinity;
        while (rest.length) {
          var cand = rest[0];
          var sum = rowSum + cand.a;
          var maxA = Math.max.apply(null, row.map(function (r) { return r.a; }).concat([cand.a]));
          var minA = Math.min.apply(null, row.map(function (r) { return r.a; }).concat([cand.a]));
          var worst = Math.max((short * short * maxA) / (sum * sum), (sum * sum) / (short * short * minA));
          if (row.length && worst > best) break;
          best = worst; row.push(rest.shift()); rowSum = sum;
        }
        var thick = rowSum / short, off = 0;
        row.forEach(function (r) {
          var len = r.a / thick;
          if (w >= h) out.push({ i: r.i, x: x, y: y + off, w: thick, h: len });
          else out.push({ i: r.i, x: x + off, y: y, w: len, h: thick });
          off += len;
        });
        if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
      }
      return out;
    };
    var currentFocus = 0;
    var drawMap = function (focus) {
      currentFocus = focus;
      // Lay out in the element's own pixels so labels are not stretched.
      var W = Math.max(200, Math.round(svg.getBoundingClientRect().width) || 1000);
      svg.setAttribute('viewBox', '0 0 ' + W + ' 420');
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      while (crumbs.firstChild) crumbs.removeChild(crumbs.firstChild);
      var chain = [];
      for (var x = focus; x !== undefined; x = parentOf[x]) chain.unshift(x);
      crumbs.appendChild(el('span', 'muted', 'Showing: '));
      chain.forEach(function (c, k) {
        var b = el('button', '', k === 0 ? '(root)' : tree.name[c]);
        b.setAttribute('type', 'button');
        b.addEventListener('click', function () { drawMap(c); });
        crumbs.appendChild(b);
        if (k < chain.length - 1) crumbs.appendChild(el('span', 'muted', ' \u203A '));
      });
      var kids = tree.children[focus].map(function (c) { return { i: c, v: tree.retainedSize[c] }; }).filter(function (k) { return k.v > 0; });
      if (!kids.length) { var t = document.createElementNS(SVGNS, 'text'); t.setAttribute('x', '10'); t.setAttribute('y', '20'); t.textContent = 'No embedded children.'; svg.appendChild(t); return; }
      squarify(kids, 0, 0, W, 420).forEach(function (cell, n) {
        var g = document.createElementNS(SVGNS, 'g');
        var rect = document.createElementNS(SVGNS, 'rect');
        rect.setAttribute('x', String(cell.x)); rect.setAttribute('y', String(cell.y));
        rect.setAttribute('width', String(Math.max(0, cell.w))); rect.setAttribute('height', String(Math.max(0, cell.h)));
        rect.setAttribute('fill', palette[n % palette.length]);
        var title = document.createElementNS(SVGNS, 'title');
        title.textContent = tree.name[cell.i] + ' (' + tree.type[cell.i] + '): ' + bytes(tree.retainedSize[cell.i]) + ' retained';
        rect.appendChild(title);
        rect.addEventListener('click', function () { if (tree.children[cell.i].length) drawMap(cell.i); if (reveal) reveal(cell.i); });
        g.appendChild(rect);
        if (cell.w > 60 && cell.h > 16) {
          var label = document.createElementNS(SVGNS, 'text');
          label.setAttribute('x', String(cell.x + 4)); label.setAttribute('y', String(cell.y + 13));
          var name = tree.name[cell.i];
          var fit = Math.floor((cell.w - 8) / 6.5);
          label.textContent = (name.length > fit ? name.slice(0, Math.max(1, fit - 1)) + '\u2026' : name);
          g.appendChild(label);
          if (cell.h > 30) {
            var size = document.createElementNS(SVGNS, 'text');
            size.setAttribute('x', String(cell.x + 4)); size.setAttribute('y', String(cell.y + 27));
            size.textContent = bytes(tree.retainedSize[cell.i]);
            g.appendChild(size);
          }
        }
        svg.appendChild(g);
      });
    };
    // Start where the heap actually fans out, not at the synthetic root.
    var start = 0;
    var sized = function (i) { return tree.children[i].filter(function (c) { return tree.retainedSize[c] > 0; }); };
    while (sized(start).length === 1 && sized(sized(start)[0]).length) start = sized(start)[0];
    drawMap(start);
    var resizeTimer = 0;
    window.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(function () { drawMap(currentFocus); }, 150); });
  }
  main.appendChild(treeSection);

  // Class histogram: sortable, filterable, rendered in pages
  var histSection = section('lh-histogram', 'Class histogram (' + data.histogram.length + ' classes)');
  var toolbar = el('div', 'toolbar');
  var filter = el('input');
  filter.id = 'lh-hist-filter';
  filter.setAttribute('type', 'search');
  filter.setAttribute('placeholder', 'Filter classes');
  toolbar.appendChild(filter);
  var shown = el('span', 'muted');
  toolbar.appendChild(shown);
  histSection.appendChild(toolbar);
  var wrap = el('div', 'tablewrap');
  var table = el('table');
  table.id = 'lh-hist-table';
  var thead = el('thead');
  var hrow = el('tr');
  var hasDelta = data.histogram.some(function (r) { return r.countDelta !== undefined; });
  var columns = [['className', 'Class', false], ['count', 'Count', true], ['shallowSize', 'Shallow', true], ['retainedSize', 'Retained', true]];
  if (hasDelta) columns.push(['countDelta', '\u0394 count', true], ['retainedDelta', '\u0394 retained', true]);
  var sortKey = hasDelta ? 'retainedDelta' : 'retainedSize', sortDir = -1;
  columns.forEach(function (c) {
    var th = el('th', c[2] ? 'num' : '', c[1]);
    th.setAttribute('data-key', c[0]);
    th.addEventListener('click', function () {
      if (sortKey === c[0]) sortDir = -sortDir; else { sortKey = c[0]; sortDir = c[2] ? -1 : 1; }
      renderHist();
    });
    hrow.appendChild(th);
  });
  thead.appendChild(hrow);
  table.appendChild(thead);
  var tbody = el('tbody');
  table.appendChild(tbody);
  wrap.appendChild(table);
  histSection.appendChild(wrap);
  var PAGE = 500;
  var renderHist = function () {
    var needle = lower(filter.value.trim());
    var rows = data.histogram.filter(function (r) { return !needle || lower(r.className).indexOf(needle) >= 0; });
    rows.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      if (typeof x === 'string') return sortDir * x.localeCompare(y);
      return sortDir * ((x || 0) - (y || 0));
    });
    hrow.querySelectorAll('th').forEach(function (th) {
      if (th.getAttribute('data-key') === sortKey) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.slice(0, PAGE).forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', 'cls', r.className));
      tr.appendChild(el('td', 'num', count(r.count)));
      tr.appendChild(el('td', 'num', bytes(r.shallowSize)));
      tr.appendChild(el('td', 'num', bytes(r.retainedSize)));
      if (hasDelta) {
        tr.appendChild(el('td', 'num', signed(r.countDelta || 0, count)));
        tr.appendChild(el('td', 'num', signed(r.retainedDelta || 0, bytes)));
      }
      tbody.appendChild(tr);
    });
    shown.textContent = 'showing ' + Math.min(PAGE, rows.length) + ' of ' + rows.length + ' matching classes';
  };
  filter.addEventListener('input', renderHist);
  renderHist();

  // Global search: filters findings and the histogram, lists tree matches
  var runSearch = function () {
    var needle = lower(search.value.trim());
    findingNodes.forEach(function (f) { f.node.classList.toggle('hidden', !!needle && f.text.indexOf(needle) < 0); });
    filter.value = search.value.trim();
    renderHist();
    while (resultList.firstChild) resultList.removeChild(resultList.firstChild);
    results.classList.toggle('hidden', !needle);
    if (!needle) return;
    var matchedFindings = findingNodes.filter(function (f) { return f.text.indexOf(needle) >= 0; }).length;
    resultList.appendChild(el('li', 'muted', matchedFindings + ' matching findings (others hidden); histogram filtered.'));
    if (!tree) return;
    var hits = 0;
    for (var i = 0; i < tree.name.length && hits < 50; i++) {
      if (lower(tree.name[i]).indexOf(needle) < 0 && String(tree.id[i]) !== needle) continue;
      hits++;
      var li = el('li');
      var b = el('button', '', tree.name[i] + ' (' + tree.type[i] + ', ' + bytes(tree.retainedSize[i]) + ' retained, @' + tree.id[i] + ')');
      b.setAttribute('type', 'button');
      b.setAttribute('data-tree-index', String(i));
      (function (index) { b.addEventListener('click', function () { reveal(index); }); })(i);
      li.appendChild(b);
      resultList.appendChild(li);
    }
    if (!hits) resultList.appendChild(el('li', 'muted', 'No match in the embedded dominator tree.'));
  };
  var timer = 0;
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(runSearch, 120); });
  search.addEventListener('keydown', function (e) { if (e.key === 'Enter') { clearTimeout(timer); runSearch(); } });
  document.body.setAttribute('data-ready', 'true');
})();
`;
