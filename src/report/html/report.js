// trawl's findings report: filters, paging and drill-down over the JSON
// block below. Everything is written with textContent: no string from the
// scan is ever parsed as HTML.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('trawl-data').textContent);
  var S = D.s;
  // records: [file, name, process or -1, [category], [[flag, reason]], personal, first finding, findings, new]
  // findings: [record, location, detector, category, confidence, masked, new, fingerprint or -1, triage or -1, evidence or -1]
  // files: [path, folder, note or -1 (a file not listed in full)]
  var CONF = ['low', 'medium', 'high'];
  var PAGE = 100;
  var FOLDER_PAGE = 50;
  var FILES_SHOWN = 200;
  var MAX_VALUES = 6;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function byId(id) { return document.getElementById(id); }
  function count(n) { return n.toLocaleString('en-GB'); }

  var filters = { category: '', flag: '', process: '', folder: '', search: '', onlyNew: false };
  var haystacks = new Array(D.records.length);

  function fillSelect(select, options) {
    options.forEach(function (o) {
      var opt = el('option', null, o[1]);
      opt.value = String(o[0]);
      select.appendChild(opt);
    });
  }
  fillSelect(byId('f-category'), D.categories.map(function (c) { return [c[0], S[c[0]]]; }));
  fillSelect(byId('f-flag'), D.kinds.map(function (k, i) { return [i, k[1]]; }));
  fillSelect(byId('f-process'), D.processes.map(function (p) { return [p, S[p]]; }));
  fillSelect(byId('f-folder'), D.folders.map(function (f) { return [f, S[f]]; }));

  function folderPath(fileIdx) { return S[D.files[fileIdx][1]]; }

  function haystack(i) {
    if (haystacks[i] === undefined) {
      var r = D.records[i];
      var parts = [S[D.files[r[0]][0]], S[r[1]], r[2] >= 0 ? S[r[2]] : '(none)'];
      r[3].forEach(function (c) { parts.push(S[c]); });
      r[4].forEach(function (f) { parts.push(D.kinds[f[0]][1], S[f[1]]); });
      haystacks[i] = parts.join('\n').toLowerCase();
    }
    return haystacks[i];
  }

  function matches(i) {
    var r = D.records[i];
    if (filters.category !== '' && r[3].indexOf(+filters.category) < 0) return false;
    if (filters.flag === 'any' && r[4].length === 0) return false;
    if (filters.flag === 'none' && r[4].length > 0) return false;
    if (filters.flag !== '' && filters.flag !== 'any' && filters.flag !== 'none' &&
        !r[4].some(function (f) { return f[0] === +filters.flag; })) return false;
    if (filters.process !== '') {
      var wanted = S[+filters.process];
      var has = r[2] >= 0 ? S[r[2]] : '(none)';
      if (has !== wanted) return false;
    }
    if (filters.folder !== '') {
      var f = S[+filters.folder];
      var p = folderPath(r[0]);
      if (p !== f && p.indexOf(f + '/') !== 0) return false;
    }
    if (filters.search !== '' && haystack(i).indexOf(filters.search) < 0) return false;
    if (filters.onlyNew && !r[8]) return false;
    return true;
  }

  function maskedValues(i) {
    var r = D.records[i];
    var box = el('div', 'values');
    var seen = {};
    var shown = 0;
    var distinct = 0;
    for (var k = r[6]; k < r[6] + r[7]; k++) {
      var m = S[D.findings[k][5]];
      if (seen[m]) continue;
      seen[m] = true;
      distinct++;
      if (shown < MAX_VALUES) {
        box.appendChild(el('span', null, m));
        shown++;
      }
    }
    if (distinct > shown) box.appendChild(el('span', 'more', '+' + (distinct - shown) + ' more'));
    return box;
  }

  function categories(i) {
    var td = el('td');
    D.records[i][3].forEach(function (c) { td.appendChild(el('span', 'cat', S[c])); });
    return td;
  }

  function where(i) {
    var r = D.records[i];
    var td = el('td');
    td.appendChild(el('div', 'path', S[D.files[r[0]][0]]));
    td.appendChild(el('div', 'more', S[r[1]]));
    return td;
  }

  function flaggedRow(i) {
    var r = D.records[i];
    var tr = el('tr');
    var flags = el('td');
    var why = el('td');
    var ul = el('ul');
    if (r[8]) flags.appendChild(el('span', 'badge new', 'New'));
    r[4].forEach(function (f) {
      flags.appendChild(el('span', 'badge sev' + f[0], D.kinds[f[0]][1]));
      ul.appendChild(el('li', null, S[f[1]]));
    });
    why.appendChild(ul);
    tr.appendChild(flags);
    tr.appendChild(why);
    tr.appendChild(el('td', null, r[2] >= 0 ? S[r[2]] : '(none)'));
    tr.appendChild(where(i));
    tr.appendChild(categories(i));
    var v = el('td');
    v.appendChild(maskedValues(i));
    tr.appendChild(v);
    return tr;
  }

  function pager(box, page, total, size, go) {
    box.textContent = '';
    if (total <= size) {
      if (total > 0) box.appendChild(el('span', null, 'Showing all ' + count(total)));
      return;
    }
    var pages = Math.ceil(total / size);
    var prev = el('button', null, '‹ Previous');
    prev.type = 'button';
    prev.disabled = page === 0;
    prev.addEventListener('click', function () { go(page - 1); });
    var next = el('button', null, 'Next ›');
    next.type = 'button';
    next.disabled = page >= pages - 1;
    next.addEventListener('click', function () { go(page + 1); });
    box.appendChild(prev);
    box.appendChild(el('span', null, count(page * size + 1) + '–' + count(Math.min(total, (page + 1) * size)) +
      ' of ' + count(total) + ' (page ' + (page + 1) + ' of ' + pages + ')'));
    box.appendChild(next);
  }

  var flaggedShown = [];
  function renderFlagged(page) {
    var body = byId('flagged-rows');
    body.textContent = '';
    var rows = flaggedShown.slice(page * PAGE, (page + 1) * PAGE);
    if (rows.length === 0) {
      var tr = el('tr');
      var td = el('td', 'empty', D.flagged.length ? 'No flagged record matches the filters.' : 'No record is flagged.');
      td.colSpan = 6;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    var frag = document.createDocumentFragment();
    rows.forEach(function (i) { frag.appendChild(flaggedRow(i)); });
    body.appendChild(frag);
    pager(byId('flagged-pager'), page, flaggedShown.length, PAGE, renderFlagged);
  }

  // Drill-down: folders, then files, then a file's records and findings,
  // each built only when opened.
  var folderMatches = [];
  function fileBody(fileIdx, records) {
    var box = el('div', 'file-body');
    var note = D.files[fileIdx][2];
    if (note >= 0) box.appendChild(el('p', 'hint not-listed', S[note]));
    var table = el('table');
    var head = el('tr');
    ['Record', 'Flags', 'Process', 'Where in the record', 'Detector', 'Category', 'Confidence', 'Value (masked)']
      .forEach(function (h) { var th = el('th', null, h); th.scope = 'col'; head.appendChild(th); });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el('tbody');
    records.forEach(function (i) {
      var r = D.records[i];
      for (var k = r[6]; k < r[6] + r[7]; k++) {
        var f = D.findings[k];
        var tr = el('tr');
        tr.appendChild(el('td', null, S[r[1]]));
        var flags = el('td');
        if (k === r[6]) r[4].forEach(function (fl) { flags.appendChild(el('span', 'badge sev' + fl[0], D.kinds[fl[0]][1])); });
        tr.appendChild(flags);
        tr.appendChild(el('td', null, r[2] >= 0 ? S[r[2]] : '(none)'));
        tr.appendChild(el('td', null, S[f[1]]));
        tr.appendChild(el('td', null, S[f[2]]));
        tr.appendChild(el('td', null, S[f[3]]));
        var conf = el('td', null, CONF[f[4]]);
        if (f[9] >= 0) conf.appendChild(el('div', 'evidence', S[f[9]]));
        tr.appendChild(conf);
        var value = el('td', 'values', S[f[5]]);
        if (f[6]) value.appendChild(el('span', 'badge new', 'New'));
        if (f[8] >= 0) value.appendChild(el('div', 'triaged', S[f[8]]));
        if (f[7] >= 0) value.appendChild(el('div', 'fp', S[f[7]]));
        tr.appendChild(value);
        tbody.appendChild(tr);
      }
    });
    table.appendChild(tbody);
    box.appendChild(table);
    return box;
  }

  function fileDetails(fileIdx, records) {
    var d = el('details', 'file');
    var sum = el('summary');
    sum.appendChild(el('span', 'path', S[D.files[fileIdx][0]]));
    var findings = 0, flagged = 0;
    records.forEach(function (i) { findings += D.records[i][7]; if (D.records[i][4].length) flagged++; });
    sum.appendChild(el('span', 'counts', count(records.length) + ' records, ' + count(flagged) + ' flagged, ' +
      count(findings) + ' findings' + (D.files[fileIdx][3] ? ', and more not listed' : '')));
    d.appendChild(sum);
    d.addEventListener('toggle', function () {
      if (d.open && d.childNodes.length === 1) d.appendChild(fileBody(fileIdx, records));
    });
    return d;
  }

  function folderDetails(entry) {
    var d = el('details', 'folder');
    var sum = el('summary');
    sum.appendChild(el('span', 'path', S[D.folders[entry.folder]]));
    var files = Object.keys(entry.files).length;
    sum.appendChild(el('span', 'counts', count(files) + ' files, ' + count(entry.records) + ' records, ' +
      count(entry.flagged) + ' flagged, ' + count(entry.findings) + ' findings'));
    d.appendChild(sum);
    d.addEventListener('toggle', function () {
      if (!d.open || d.childNodes.length > 1) return;
      var keys = Object.keys(entry.files).map(Number).sort(function (a, b) {
        var pa = S[D.files[a][0]], pb = S[D.files[b][0]];
        return pa < pb ? -1 : pa > pb ? 1 : 0;
      });
      keys.slice(0, FILES_SHOWN).forEach(function (f) { d.appendChild(fileDetails(f, entry.files[f])); });
      if (keys.length > FILES_SHOWN) {
        d.appendChild(el('p', 'more', 'And ' + count(keys.length - FILES_SHOWN) +
          ' more files: choose this folder in the Folder filter, or search, to narrow the list.'));
      }
    });
    return d;
  }

  function renderFolders(page) {
    var box = byId('folders');
    box.textContent = '';
    if (folderMatches.length === 0) box.appendChild(el('p', 'empty', 'No file matches the filters.'));
    var frag = document.createDocumentFragment();
    folderMatches.slice(page * FOLDER_PAGE, (page + 1) * FOLDER_PAGE).forEach(function (e) {
      frag.appendChild(folderDetails(e));
    });
    box.appendChild(frag);
    pager(byId('folders-pager'), page, folderMatches.length, FOLDER_PAGE, renderFolders);
  }

  var folderOf = {};
  D.folders.forEach(function (f, i) { folderOf[S[f]] = i; });

  function apply() {
    flaggedShown = D.flagged.filter(matches);
    var byFolder = {};
    var shownRecords = 0;
    for (var i = 0; i < D.records.length; i++) {
      if (!matches(i)) continue;
      shownRecords++;
      var r = D.records[i];
      var fi = folderOf[folderPath(r[0])];
      var e = byFolder[fi] || (byFolder[fi] = { folder: fi, files: {}, records: 0, flagged: 0, findings: 0 });
      (e.files[r[0]] || (e.files[r[0]] = [])).push(i);
      e.records++;
      e.findings += r[7];
      if (r[4].length) e.flagged++;
    }
    folderMatches = Object.keys(byFolder).map(Number).sort(function (a, b) { return a - b; })
      .map(function (k) { return byFolder[k]; });
    var active = filters.category || filters.flag || filters.process || filters.folder || filters.search ||
      filters.onlyNew;
    byId('filter-status').textContent = active
      ? 'Showing ' + count(flaggedShown.length) + ' of ' + count(D.flagged.length) + ' flagged records and ' +
        count(shownRecords) + ' of ' + count(D.records.length) + ' records in the folders below.'
      : 'Showing all ' + count(D.flagged.length) + ' flagged records and all ' + count(D.records.length) +
        ' records holding findings.';
    var buttons = document.querySelectorAll('button.flag-count');
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].classList.toggle('active', buttons[b].getAttribute('data-flag') === filters.flag);
    }
    renderFlagged(0);
    renderFolders(0);
  }

  function bind(id, key, event) {
    byId(id).addEventListener(event, function (ev) {
      filters[key] = key === 'search' ? ev.target.value.trim().toLowerCase() : ev.target.value;
      if (key === 'search') {
        clearTimeout(bind.timer);
        bind.timer = setTimeout(apply, 150);
      } else {
        apply();
      }
    });
  }
  bind('f-category', 'category', 'change');
  bind('f-flag', 'flag', 'change');
  bind('f-process', 'process', 'change');
  bind('f-folder', 'folder', 'change');
  bind('f-search', 'search', 'input');
  if (byId('f-new')) {
    byId('f-new').addEventListener('change', function (ev) { filters.onlyNew = ev.target.checked; apply(); });
  }
  byId('f-clear').addEventListener('click', function () {
    ['f-category', 'f-flag', 'f-process', 'f-folder', 'f-search'].forEach(function (id) { byId(id).value = ''; });
    if (byId('f-new')) byId('f-new').checked = false;
    filters = { category: '', flag: '', process: '', folder: '', search: '', onlyNew: false };
    apply();
  });
  var buttons = document.querySelectorAll('button.flag-count');
  for (var b = 0; b < buttons.length; b++) {
    buttons[b].addEventListener('click', function (ev) {
      var flag = ev.currentTarget.getAttribute('data-flag');
      filters.flag = filters.flag === flag ? '' : flag;
      byId('f-flag').value = filters.flag;
      apply();
      if (filters.flag !== '') byId('flagged').scrollIntoView();
    });
  }
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
})();
