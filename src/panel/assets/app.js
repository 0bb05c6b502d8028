// verify-bot's admin panel, a Telegram Mini App: signs in with Telegram.WebApp.initData, reads
// the viewer's role and texts from api/me, then draws the overview (figures, a daily chart, the
// latest verifications), the verifications table with filters and details, and for admins the
// staff list with invites and the export form. Plain DOM, no build step, no inline code (the
// page's CSP forbids it); API data only ever goes into the page as text, never as HTML.
'use strict';

(function () {
  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const PERIODS = ['today', 'week', 'month'];
  const STATUSES = ['verified', 'pending', 'sending', 'max_attempts', 'failed', 'expired', 'cancelled'];
  const MARKS = {
    verified: '✅', failed: '⚠️', max_attempts: '⛔', cancelled: '🚫', expired: '⌛',
    pending: '⏳', sending: '⏳',
  };

  const state = {
    me: null,
    tab: 'overview',
    page: 1,
    hasMore: false,
    staff: null,          // api/staff's list, admins only
    daily: null,          // the overview's daily series, for redrawing the chart on resize
    request: 0,           // the latest verifications request, so older answers are ignored
    scrollY: 0,
  };
  let fmt = null;

  // ---- small helpers ----

  const $ = (selector) => document.querySelector(selector);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs, className) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (className) node.setAttribute('class', className);
    return node;
  }

  function t(key) {
    const texts = (state.me && state.me.texts) || {};
    return typeof texts[key] === 'string' ? texts[key] : key;
  }

  function haptic(kind, arg) {
    const h = tg && tg.HapticFeedback;
    try {
      if (h && kind === 'selection' && h.selectionChanged) h.selectionChanged();
      if (h && kind === 'notify' && h.notificationOccurred) h.notificationOccurred(arg);
    } catch (e) { /* haptics are a nicety */ }
  }

  // ---- theme ----

  function applyTheme() {
    const root = document.documentElement;
    const params = (tg && tg.themeParams) || {};
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string') root.style.setProperty('--tg-theme-' + name.replace(/_/g, '-'), value);
    }
    if (tg && (tg.colorScheme === 'dark' || tg.colorScheme === 'light')) root.dataset.scheme = tg.colorScheme;
    if (state.daily) renderChart(state.daily);
  }

  // ---- formats (Intl, in the viewer's language and time zone) ----

  function makeFormats(lang, timeZone) {
    try { new Intl.DateTimeFormat(lang, { timeZone }); } catch (e) { timeZone = undefined; }
    const dateLang = lang === 'en' ? 'en-GB' : lang;  // the bot writes UK English
    const dt = (opts) => new Intl.DateTimeFormat(dateLang, Object.assign({ timeZone }, opts));
    return {
      int: new Intl.NumberFormat(lang),
      money: new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 3 }),
      cents: new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }),
      dollars: new Intl.NumberFormat(lang, { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0 }),
      pct: new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }),
      full: dt({ dateStyle: 'medium', timeStyle: 'short' }),
      time: dt({ hour: '2-digit', minute: '2-digit' }),
      day: dt({ day: 'numeric', month: 'short', year: 'numeric' }),
      dayTime: dt({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
      isoParts: dt({ year: 'numeric', month: '2-digit', day: '2-digit' }),
      utcDay: new Intl.DateTimeFormat(dateLang, { timeZone: 'UTC', day: 'numeric', month: 'short' }),
    };
  }

  const num = (n) => (typeof n === 'number' ? fmt.int.format(n) : '—');
  // Tenths of a cent while they matter (a code can cost $0.015), fewer digits on big sums.
  function money(n) {
    if (typeof n !== 'number') return '—';
    const size = Math.abs(n);
    return (size >= 10000 ? fmt.dollars : size >= 100 ? fmt.cents : fmt.money).format(n);
  }
  const full = (s) => (typeof s === 'number' ? fmt.full.format(new Date(s * 1000)) : '—');

  // YYYY-MM-DD of a moment in the viewer's time zone.
  function isoDay(date) {
    const parts = {};
    for (const p of fmt.isoParts.formatToParts(date)) parts[p.type] = p.value;
    return parts.year + '-' + parts.month + '-' + parts.day;
  }

  function addDays(iso, days) {
    const d = new Date(iso + 'T00:00:00Z');
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  // A row's time: the clock alone for today, else the day and the clock.
  function when(seconds) {
    const d = new Date(seconds * 1000);
    return isoDay(d) === isoDay(new Date()) ? fmt.time.format(d) : fmt.dayTime.format(d);
  }

  // A row's number as people write it ("+44 7911 123456"), else as stored (E.164).
  const phoneOf = (v) => v.phone_display || v.phone;

  function userName(id, name) {
    if (name) return name;
    const known = (state.staff || []).find((p) => p.user_id === id);
    if (known) return personName(known);
    return t('panel-user-id') + ' ' + id;
  }

  function personName(p) {
    return p.name || (p.username ? '@' + p.username : t('panel-user-id') + ' ' + p.user_id);
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(status, body) { super('API answered ' + status); this.status = status; this.body = body; }
  }

  async function api(path, body) {
    const init = { headers: { Authorization: 'tma ' + tg.initData }, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      init.method = 'POST';
      if (body !== null) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
    }
    let response;
    try { response = await fetch(path, init); } catch (e) { throw new ApiError(0, null); }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) throw new ApiError(response.status, data);
    if (data === null || typeof data !== 'object') throw new ApiError(502, null);
    return data;
  }

  // Shows what went wrong; `retry` (optional) is offered for network and server errors.
  function fail(err, retry) {
    if (!(err instanceof ApiError)) {
      console.error(err);
      err = new ApiError(500, null);
    }
    haptic('notify', 'error');
    if (err.status === 401) return deny();
    if (err.status === 403) return notice(t('panel-error-forbidden'), 'error');
    if (err.status === 404) return notice(t('panel-error-not-found'), 'error');
    if (err.status === 400 && err.body && typeof err.body.error === 'string') return notice(err.body.error, 'error');
    const key = err.status === 0 ? 'panel-error-network' : 'panel-error-server';
    notice(state.me ? t(key) : '⚠️', 'error', retry);
  }

  function deny() {
    $('#app').hidden = true;
    $('#loading').hidden = true;
    $('#notice').hidden = true;
    $('#denied').hidden = false;
  }

  // ---- notices ----

  let noticeTimer = 0;

  function notice(text, kind, retry) {
    const box = $('#notice');
    clearTimeout(noticeTimer);
    box.className = 'notice notice-' + (kind || 'info');
    $('#notice-text').textContent = text;
    const again = $('#notice-retry');
    again.hidden = !retry;
    again.textContent = state.me ? t('panel-retry') : '↻';
    again.onclick = retry ? () => { box.hidden = true; retry(); } : null;
    $('#notice-close').textContent = state.me ? t('panel-dismiss') : '✕';
    box.hidden = false;
    if (kind === 'info') noticeTimer = setTimeout(fadeNotice, 4000);
  }

  // Info notices fade out on their own (errors stay until dismissed).
  function fadeNotice() {
    const box = $('#notice');
    box.classList.add('notice-fading');
    noticeTimer = setTimeout(() => { box.hidden = true; }, 400);
  }

  // ---- start ----

  function start() {
    $('#notice-close').addEventListener('click', () => { $('#notice').hidden = true; });
    if (!tg) return deny();
    try { if (tg.ready) tg.ready(); if (tg.expand) tg.expand(); } catch (e) { /* older clients */ }
    applyTheme();
    if (tg.onEvent) tg.onEvent('themeChanged', applyTheme);
    if (typeof tg.initData !== 'string' || tg.initData === '') return deny();
    if (tg.BackButton && tg.BackButton.onClick) tg.BackButton.onClick(closeDetails);
    loadMe();
  }

  async function loadMe() {
    let me;
    try { me = await api('api/me'); } catch (e) { $('#loading').hidden = true; return fail(e, loadMe); }
    state.me = me;
    fmt = makeFormats(me.lang || 'en', me.time_zone);
    document.documentElement.lang = me.lang || 'en';
    document.title = t('panel-title');
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
    setUpControls();
    $('#loading').hidden = true;
    $('#app').hidden = false;
    showTab('overview');
  }

  function isAdmin() { return state.me && state.me.role === 'admin'; }

  function setUpControls() {
    const admin = isAdmin();
    for (const id of ['#tab-staff', '#tab-export', '#filter-staff-field']) $(id).hidden = !admin;
    for (const tab of document.querySelectorAll('#tabs [role="tab"]')) {
      tab.addEventListener('click', () => { haptic('selection'); showTab(tab.dataset.view); });
    }
    const status = $('#filter-status');
    for (const s of STATUSES) {
      const option = el('option', null, MARKS[s] + ' ' + t('panel-status-' + s));
      option.value = s;
      status.append(option);
    }
    const today = isoDay(new Date());
    for (const id of ['#filter-from', '#filter-to', '#export-from', '#export-to']) $(id).max = today;
    $('#export-from').value = addDays(today, -29);
    $('#export-to').value = today;
    for (const id of ['#filter-status', '#filter-staff', '#filter-from', '#filter-to']) {
      $(id).addEventListener('change', () => reloadVerifications(1));
    }
    let debounce = 0;
    $('#filter-digits').addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => reloadVerifications(1), 300);
    });
    $('#filter-clear').addEventListener('click', clearFilters);
    $('#page-prev').addEventListener('click', () => reloadVerifications(state.page - 1, true));
    $('#page-next').addEventListener('click', () => reloadVerifications(state.page + 1, true));
    $('#details-back').addEventListener('click', closeDetails);
    $('#invite-staff').addEventListener('click', () => invite('staff'));
    $('#invite-admin').addEventListener('click', () => invite('admin'));
    $('#invite-copy').addEventListener('click', copyInvite);
    $('#export-send').addEventListener('click', exportFiles);
    $('#confirm-no').addEventListener('click', closeConfirm);
    $('#confirm').addEventListener('click', (e) => { if (e.target === $('#confirm')) closeConfirm(); });
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('#confirm').hidden) closeConfirm(); });
    let resize = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resize);
      resize = setTimeout(() => {
        fitFigures();
        if (state.daily) renderChart(state.daily);
      }, 150);
    });
  }

  // ---- tabs ----

  const LOADERS = {
    overview: () => loadOverview(),
    verifications: () => reloadVerifications(state.page),
    staff: () => loadStaff(),
    export: () => {},
  };

  function showTab(name) {
    if ((name === 'staff' || name === 'export') && !isAdmin()) name = 'overview';
    hideDetails();
    state.tab = name;
    for (const tab of document.querySelectorAll('#tabs [role="tab"]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.view === name));
    }
    for (const view of document.querySelectorAll('main > .view')) view.hidden = view.id !== 'view-' + name;
    LOADERS[name]();
  }

  // ---- overview ----

  async function loadOverview() {
    let data;
    try { data = await api('api/overview'); } catch (e) { return fail(e, loadOverview); }
    renderOverview(data);
  }

  function renderOverview(data) {
    renderFigures(data.periods || {});
    const admin = isAdmin();
    $('#balance-card').hidden = !admin;
    const known = typeof data.balance === 'number';
    $('#balance').textContent = known ? money(data.balance) : t('panel-balance-unknown');
    $('#balance').classList.toggle('unknown', !known);
    const daily = admin && Array.isArray(data.daily) ? data.daily : null;
    $('#chart-card').hidden = !daily;
    state.daily = daily;
    if (daily) renderChart(daily);
    fillRows($('#latest tbody'), $('#latest-empty'), data.latest || []);
    $('#latest-card').hidden = false;
  }

  // The figures table: one row per figure, one column per period. `kind` styles the row: main
  // (large), sub (a smaller part of the row above) or first (the first of a group, ruled above).
  const FIGURES = [
    ['sent', 'main', (p) => num(p.sent)],
    ['verified', 'main', (p) => num((p.verified_by_code || 0) + (p.verified_by_contact || 0))],
    ['by_code', 'sub', (p) => num(p.verified_by_code)],
    ['by_contact', 'sub', (p) => num(p.verified_by_contact)],
    ['failed', 'first', (p) => num(p.failed)],
    ['expired', '', (p) => num(p.expired)],
    ['cancelled', '', (p) => num(p.cancelled)],
    ['rate', 'first rate', (p) => (typeof p.success_rate === 'number' ? fmt.pct.format(p.success_rate) : '—')],
    ['spent', 'first', (p) => money(p.spent)],
    ['refunded', '', (p) => money(p.refunded)],
  ];

  function renderFigures(periods) {
    const rows = FIGURES.map(([figure, kind, value]) => {
      const tr = el('tr', kind || null);
      const label = el('th', null, t('panel-figure-' + figure.replace(/_/g, '-')));
      label.scope = 'row';
      tr.append(label);
      for (const period of PERIODS) {
        const td = el('td', null, value(periods[period] || {}));
        td.dataset.period = period;
        td.dataset.figure = figure;
        tr.append(td);
      }
      return tr;
    });
    $('#figures tbody').replaceChildren(...rows);
    $('#figures-card').hidden = false;
    fitFigures();
  }

  // Big numbers (a busy month) get a smaller type rather than a table wider than the screen.
  function fitFigures() {
    const table = $('#figures');
    const card = table.parentElement;
    const style = getComputedStyle(card);
    const room = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    table.classList.remove('compact');
    if (room > 0 && table.offsetWidth > room + 0.5) table.classList.add('compact');
  }

  // Sends (a light bar) and verifications (a bar in the button colour) for each of 30 days.
  function renderChart(daily) {
    const chart = $('#chart');
    const width = Math.max(260, Math.round(chart.getBoundingClientRect().width) || 340);
    const height = 190;
    const pad = { left: 30, right: 4, top: 10, bottom: 22 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const peak = Math.max(0, ...daily.map((d) => Math.max(d.sent || 0, d.verified || 0)));
    const top = niceCeiling(peak);
    const y = (v) => pad.top + plotH - (v / top) * plotH;
    chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    chart.replaceChildren();

    const axis = svgEl('g', {}, 'axis');
    for (const v of [0, top / 2, top]) {
      if (!Number.isInteger(v)) continue;
      axis.append(svgEl('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }, 'grid'));
      const label = svgEl('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end' });
      label.textContent = num(v);
      axis.append(label);
    }
    const slot = plotW / Math.max(1, daily.length);
    const barW = Math.max(1, slot * 0.38);
    daily.forEach((d, i) => {
      const x = pad.left + i * slot;
      const group = svgEl('g');
      const title = svgEl('title');
      title.textContent = fmt.utcDay.format(new Date(d.day * 1000)) + ': ' + t('panel-chart-sent') + ' ' +
        num(d.sent) + ' · ' + t('panel-chart-verified') + ' ' + num(d.verified);
      group.append(title, bar(x + slot * 0.1, barW, d.sent || 0, 'bar-sent'),
        bar(x + slot * 0.1 + barW, barW, d.verified || 0, 'bar-verified'));
      chart.append(group);
      if (i % 7 === 0 || i === daily.length - 1) {
        if (i === daily.length - 1 && i % 7 !== 0 && i % 7 < 4) return;
        const anchor = i === 0 ? 'start' : i === daily.length - 1 ? 'end' : 'middle';
        const tx = anchor === 'start' ? x : anchor === 'end' ? x + slot : x + slot / 2;
        const label = svgEl('text', { x: tx, y: height - 6, 'text-anchor': anchor });
        label.textContent = fmt.utcDay.format(new Date(d.day * 1000));
        axis.append(label);
      }
    });
    chart.append(axis);

    function bar(x, w, value, className) {
      const h = value > 0 ? Math.max(1.5, (value / top) * plotH) : 0;
      return svgEl('rect', { x: x.toFixed(1), y: (pad.top + plotH - h).toFixed(1), width: w.toFixed(1), height: h.toFixed(1), rx: Math.min(2, w / 3).toFixed(1) }, className);
    }

    const sent = daily.reduce((sum, d) => sum + (d.sent || 0), 0);
    const verified = daily.reduce((sum, d) => sum + (d.verified || 0), 0);
    chart.setAttribute('aria-label', t('panel-chart-title') + ': ' + t('panel-chart-sent') + ' ' + num(sent) +
      ', ' + t('panel-chart-verified') + ' ' + num(verified));
    $('#chart-empty').hidden = sent + verified > 0;
  }

  // The smallest of 2, 4, 10, 20, 40, 100 … at or above n, so that half of it is a whole number.
  function niceCeiling(n) {
    if (n <= 2) return 2;
    const base = Math.pow(10, Math.floor(Math.log10(n)));
    for (const step of [1, 2, 4, 6, 8, 10]) if (step * base >= n && (step * base) % 2 === 0) return step * base;
    return 10 * base;
  }

  // ---- rows (the overview's latest and the verifications table) ----

  function fillRows(tbody, empty, rows) {
    tbody.replaceChildren(...rows.map(rowEl));
    empty.hidden = rows.length > 0;
  }

  function rowEl(v) {
    const tr = el('tr');
    tr.dataset.id = String(v.id);
    tr.tabIndex = 0;
    // One cell, two lines: the number and the result, then time · staff member · cost.
    const cell = el('td');
    const line = el('div', 'row-line');
    const status = el('span', 'row-status');
    status.append(el('span', 'mark', MARKS[v.status] || '•'), el('span', 'status-text', t('panel-status-' + v.status)));
    line.append(el('span', 'phone', phoneOf(v)), status);
    const meta = [when(v.created_at)];
    if (isAdmin()) meta.push(userName(v.staff_user_id, v.staff_name));
    if (typeof v.cost === 'number') meta.push(money(v.cost));
    cell.append(line, el('div', 'meta', meta.join(' · ')));
    tr.append(cell);
    tr.addEventListener('click', () => openDetails(v.id));
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); openDetails(v.id); } });
    return tr;
  }

  // ---- verifications ----

  function filterQuery(page) {
    const q = new URLSearchParams();
    q.set('page', String(page));
    q.set('status', $('#filter-status').value);
    q.set('staff', isAdmin() ? $('#filter-staff').value : '');
    q.set('from', $('#filter-from').value);
    q.set('to', $('#filter-to').value);
    q.set('last_digits', $('#filter-digits').value.replace(/\D/g, ''));
    return q.toString();
  }

  async function reloadVerifications(page, scroll) {
    page = Math.max(1, page || 1);
    const request = ++state.request;
    if (isAdmin() && !state.staff) loadStaff(true);
    let data;
    try { data = await api('api/verifications?' + filterQuery(page)); } catch (e) {
      if (request === state.request) fail(e, () => reloadVerifications(page));
      return;
    }
    if (request !== state.request) return;
    state.page = data.page || page;
    state.hasMore = !!data.has_more;
    fillRows($('#verifications tbody'), $('#verifications-empty'), data.rows || []);
    $('#page-number').textContent = num(state.page);
    $('#page-prev').disabled = state.page <= 1;
    $('#page-next').disabled = !state.hasMore;
    $('#pager').hidden = false;
    if (scroll) $('#view-verifications').scrollIntoView();
  }

  function clearFilters() {
    for (const id of ['#filter-status', '#filter-staff', '#filter-from', '#filter-to', '#filter-digits']) $(id).value = '';
    reloadVerifications(1);
  }

  // ---- details ----

  async function openDetails(id) {
    let data;
    try { data = await api('api/verifications/' + encodeURIComponent(id)); } catch (e) { return fail(e, () => openDetails(id)); }
    renderDetails(data.verification || {}, data.audit || []);
    if ($('#details').hidden) state.scrollY = window.scrollY;
    for (const view of document.querySelectorAll('main > .view')) view.hidden = view.id !== 'details';
    if (tg.BackButton && tg.BackButton.show) tg.BackButton.show();
    window.scrollTo(0, 0);
  }

  function hideDetails() {
    $('#details').hidden = true;
    if (tg && tg.BackButton && tg.BackButton.hide) tg.BackButton.hide();
  }

  function closeDetails() {
    if ($('#details').hidden) return;
    hideDetails();
    $('#view-' + state.tab).hidden = false;
    window.scrollTo(0, state.scrollY);
  }

  function renderDetails(v, audit) {
    const fields = $('#details-fields');
    fields.replaceChildren();
    const add = (label, value, id) => {
      const dd = el('dd', null, value);
      if (id) dd.id = id;
      fields.append(el('dt', null, t(label)), dd);
    };
    add('panel-details-status', (MARKS[v.status] || '•') + ' ' + t('panel-status-' + v.status), 'details-status');
    add('panel-details-phone', phoneOf(v), 'details-phone');
    if (v.status === 'verified' && v.method) add('panel-details-method', t('panel-method-' + v.method));
    if (isAdmin()) add('panel-details-staff', userName(v.staff_user_id, v.staff_name));
    add('panel-details-created', full(v.created_at));
    if (v.sent_at) add('panel-details-sent', full(v.sent_at));
    if (v.expires_at && !v.closed_at) add('panel-details-expires', full(v.expires_at));
    if (v.closed_at) add('panel-details-closed', full(v.closed_at));
    if (v.delivery_status) add('panel-details-delivery', t('panel-delivery-' + v.delivery_status));
    if (v.method !== 'contact') add('panel-details-attempts', num(v.attempts));
    if (typeof v.cost === 'number') add('panel-details-cost', money(v.cost));

    $('#audit').replaceChildren(...audit.map(auditEl));
    $('#audit-empty').hidden = audit.length > 0;
  }

  function auditEl(a) {
    const li = el('li');
    const head = el('div', 'audit-head');
    head.append(el('span', 'audit-action', t('panel-action-' + a.action)), el('span', 'audit-time', full(a.at)));
    const meta = [a.actor === null || a.actor === undefined ? t('panel-actor-bot') : userName(a.actor, null)];
    if (typeof a.cost === 'number') meta.push(money(a.cost));
    li.append(head, el('div', 'meta', meta.join(' · ')));
    if (a.detail) li.append(el('div', 'audit-detail', a.detail));
    return li;
  }

  // ---- staff ----

  async function loadStaff(quiet) {
    let data;
    try { data = await api('api/staff'); } catch (e) { if (!quiet) fail(e, () => loadStaff()); return; }
    state.staff = data.staff || [];
    renderStaff();
    fillStaffFilter();
  }

  function renderStaff() {
    const list = $('#staff');
    list.replaceChildren(...state.staff.map(personEl));
    $('#staff-empty').hidden = state.staff.length > 0;
  }

  function personEl(p) {
    const li = el('li', 'person');
    li.dataset.userId = String(p.user_id);
    const text = el('div', 'person-text');
    text.append(el('div', 'person-name', personName(p)));
    const meta = [t('panel-role-' + p.role)];
    if (p.user_id === state.me.user_id) meta.push(t('panel-staff-you'));
    if (p.from_config) meta.push(t('panel-staff-config'));
    if (typeof p.added_at === 'number') meta.push(t('panel-staff-added') + ' ' + fmt.day.format(new Date(p.added_at * 1000)));
    if (p.added_by_name || p.added_by) meta.push(t('panel-staff-by') + ' ' + userName(p.added_by, p.added_by_name));
    text.append(el('div', 'meta', meta.join(' · ')));
    li.append(text);
    if (p.user_id !== state.me.user_id && !p.from_config) {
      const remove = el('button', 'btn btn-danger remove', t('panel-staff-remove'));
      remove.type = 'button';
      remove.addEventListener('click', () => askRemove(p));
      li.append(remove);
    }
    return li;
  }

  function fillStaffFilter() {
    const select = $('#filter-staff');
    const chosen = select.value;
    const all = select.options[0];
    const options = state.staff.map((p) => {
      const option = el('option', null, personName(p));
      option.value = String(p.user_id);
      return option;
    });
    select.replaceChildren(all, ...options);
    select.value = options.some((o) => o.value === chosen) ? chosen : '';
  }

  let removing = null;

  function askRemove(person) {
    removing = person;
    $('#confirm-name').textContent = personName(person);
    $('#confirm').hidden = false;
    $('#confirm-yes').onclick = () => remove(person);
    $('#confirm-no').focus();
    haptic('notify', 'warning');
  }

  function closeConfirm() {
    $('#confirm').hidden = true;
    removing = null;
  }

  async function remove(person) {
    if (removing !== person) return;
    closeConfirm();
    let data;
    try { data = await api('api/staff/' + encodeURIComponent(person.user_id) + '/remove', null); } catch (e) { return fail(e); }
    if (typeof data.message === 'string') notice(data.message, data.outcome === 'removed' ? 'info' : 'error');
    if (data.outcome === 'removed') haptic('notify', 'success');
    loadStaff();
  }

  // ---- invites ----

  async function invite(role) {
    const buttons = [$('#invite-staff'), $('#invite-admin')];
    buttons.forEach((b) => { b.disabled = true; });
    let data;
    try { data = await api('api/invites', { role }); } catch (e) { fail(e); } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
    if (!data) return;
    $('#invite-link').value = data.link || '';
    $('#invite-until').textContent = t('panel-invite-until') + ' ' + full(data.expires_at) + ' (' + t('panel-role-' + data.role) + ')';
    $('#invite-copy').textContent = t('panel-invite-copy');
    $('#invite-result').hidden = false;
    haptic('notify', 'success');
  }

  async function copyInvite() {
    const input = $('#invite-link');
    let copied = false;
    try {
      if (navigator.clipboard && navigator.clipboard.writeText) {
        await navigator.clipboard.writeText(input.value);
        copied = true;
      }
    } catch (e) { copied = false; }
    if (!copied) {
      input.focus();
      input.select();
      try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
    }
    if (!copied) return;
    const button = $('#invite-copy');
    button.textContent = t('panel-invite-copied');
    haptic('notify', 'success');
    setTimeout(() => { button.textContent = t('panel-invite-copy'); }, 2000);
  }

  // ---- export ----

  async function exportFiles() {
    const button = $('#export-send');
    const result = $('#export-result');
    result.textContent = '';
    button.disabled = true;
    let data;
    try {
      data = await api('api/export', { from: $('#export-from').value, to: $('#export-to').value });
    } catch (e) { fail(e); } finally { button.disabled = false; }
    if (!data) return;
    if (!data.rows) {
      result.textContent = t('panel-export-empty');
      return;
    }
    result.append(el('span', null, t('panel-export-sent') + ' '), el('strong', null, num(data.rows)));
    haptic('notify', 'success');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
