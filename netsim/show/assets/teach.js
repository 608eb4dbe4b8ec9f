// netsim teaching page: switch between precomputed designs and show them.
// No libraries, no network: everything it shows is in the JSON above this script, every
// number and sentence already written (and formatted for the language) by netsim.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("teach-data").textContent);
  const W = JSON.parse(document.getElementById("teach-words").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
  const DEPT = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"];
  // Chart text in CSS pixels: the charts are drawn at their size on screen, so the labels
  // stay this size on a phone and on a projector.
  const FONT = 13;
  const NAMES = DATA.controls.map(function (c) { return c[0]; });

  function el(name, attrs, parent, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function byId(id) { return document.getElementById(id); }

  function currentKey() {
    return NAMES.map(function (name) {
      return document.querySelector('input[name="' + name + '"]:checked').value;
    }).join("|");
  }
  function blindKey(key) {
    const purpose = key.split("|")[0];
    return [purpose].concat(DATA.controls.slice(1).map(function (c) { return c[1][0]; })).join("|");
  }

  // The bars of a purpose share one scale, so switching a control shows a real change.
  const SCALE = {};
  Object.keys(DATA.runs).forEach(function (key) {
    const p = key.split("|")[0], n = DATA.runs[key].numbers;
    const s = SCALE[p] || (SCALE[p] = {member: 1, org: 1});
    s.member = Math.max(s.member, n.hours_per_member_year || 0, n.hours_saved_per_member_year || 0);
    s.org = Math.max(s.org, n.total_hours_year || 0, n.sponsor_hours_saved_year || 0);
  });
  function bar(id, value, max, text) {
    byId(id).style.width = (100 * Math.max(value || 0, 0) / max).toFixed(1) + "%";
    byId(id + "-num").textContent = text;
  }

  // Attendance, in people per meeting: an SVG whose coordinates are its on-screen pixels.
  function niceStep(max, slots) {
    const raw = max / Math.max(slots, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    for (const m of [1, 2, 5, 10]) { if (m * mag >= raw) return Math.max(1, m * mag); }
    return 10 * mag;
  }
  function drawAttendance(run, blind, target) {
    const svg = byId("attendance-chart");
    clear(svg);
    const w = Math.max(svg.clientWidth, 200), h = Math.max(svg.clientHeight, 120);
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    const ymax = Math.max(target, 1);
    const m = {l: 8 + 0.62 * FONT * String(ymax).length, r: 12, t: 10, b: FONT + 14};
    const x = function (v) { return m.l + (w - m.l - m.r) * v / DATA.weeks; };
    const y = function (v) { return h - m.b - (h - m.t - m.b) * v / ymax; };
    const ystep = niceStep(ymax, Math.floor((h - m.t - m.b) / (2.2 * FONT)));
    for (let v = 0; v <= ymax + 1e-9; v += ystep) {
      el("line", {x1: m.l, x2: w - m.r, y1: y(v), y2: y(v), stroke: "#e3e6ea"}, svg);
      el("text", {x: m.l - 5, y: y(v) + FONT * 0.35, "text-anchor": "end", "font-size": FONT,
                  fill: "#5b6472"}, svg, String(v));
    }
    // Week labels at least four characters' width apart, whatever the screen.
    const xstep = niceStep(DATA.weeks, Math.floor((w - m.l - m.r) / (4 * FONT)));
    for (let v = 0; v <= DATA.weeks; v += xstep) {
      el("text", {x: x(v), y: h - 6, "text-anchor": v === 0 ? "start" : "middle",
                  "font-size": FONT, fill: "#5b6472"}, svg, String(v));
    }
    function line(points, attrs) {
      if (!points.length) return null;
      const d = points.map(function (p, k) {
        return (k ? "L" : "M") + x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1);
      }).join("");
      return el("path", Object.assign({d: d, fill: "none"}, attrs), svg);
    }
    if (blind && blind !== run) {
      line(blind.attendance, {stroke: "#9aa1ab", "stroke-width": 2, "stroke-dasharray": "6 4"});
    }
    const path = line(run.attendance, {stroke: "#1b5e8c", "stroke-width": 2.5,
                                       "class": "attendance-line"});
    if (path) path.dataset.points = run.attendance.length;
    run.attendance.forEach(function (p) {
      el("circle", {cx: x(p[0]), cy: y(p[1]), r: 3, fill: "#1b5e8c"}, svg);
    });
  }

  // The graph: drawn for the chosen purpose; colours and rings change with run and week.
  const graph = byId("graph");
  const G = {w: 880, h: 520, pad: 24};
  const gx = function (v) { return G.pad + (G.w - 2 * G.pad) * v; };
  const gy = function (v) { return G.pad + (G.h - 2 * G.pad) * v; };
  let drawn = null, circles = [], meetLayer = null;
  function blue(level) { return "hsl(210, 70%, " + (97 - 62 * level).toFixed(0) + "%)"; }

  function drawNetwork(purpose) {
    if (drawn === purpose) return;
    drawn = purpose;
    const g = DATA.graphs[purpose];
    clear(graph);
    const edges = el("g", {stroke: "#c9ced6", "stroke-width": 0.7}, graph);
    g.edges.forEach(function (e) {
      const a = g.nodes[e[0]], b = g.nodes[e[1]];
      el("line", {x1: gx(a.x), y1: gy(a.y), x2: gx(b.x), y2: gy(b.y)}, edges);
    });
    meetLayer = el("g", {stroke: "#d95f02", "stroke-width": 1, "stroke-opacity": 0.35}, graph);
    circles = g.nodes.map(function (n) {
      return el("circle", {cx: gx(n.x), cy: gy(n.y), r: n.t ? 8 : 5, fill: "#ffffff",
                           stroke: DEPT[n.d % DEPT.length], "stroke-width": n.t ? 3 : 1.4},
                graph);
    });
    const key = byId("department-key");
    clear(key);
    g.departments.forEach(function (d) {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "dot";
      sw.style.borderColor = DEPT[d % DEPT.length];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(g.department_names[d]));
      key.appendChild(li);
    });
  }

  function drawGraph(run, week) {
    const g = DATA.graphs[currentKey().split("|")[0]];
    const frame = Math.min(Math.floor(week / DATA.frame_weeks), run.knowledge.length - 1);
    const levels = run.knowledge[frame] || "";
    const meeting = run.meetings.find(function (m) { return m.week === week; });
    const groups = meeting ? meeting.groups : [];
    const came = new Set([].concat.apply([], groups.map(function (x) { return x.came; })));
    clear(meetLayer);
    circles.forEach(function (c, i) {
      const level = ALPHABET.indexOf(levels.charAt(i)) / 63;
      c.setAttribute("fill", came.has(i) ? "#d95f02" : blue(Math.max(level, 0)));
    });
    // Who met: each group that met as a star to the middle of its attendees (a meeting
    // place, not a person), so that a big meeting stays readable.
    groups.forEach(function (x) {
      if (!x.held || x.came.length < 2) return;  // cancelled: they came to an empty room
      const ps = x.came.map(function (k) { return g.nodes[k]; });
      const mx = ps.reduce(function (s, p) { return s + p.x; }, 0) / ps.length;
      const my = ps.reduce(function (s, p) { return s + p.y; }, 0) / ps.length;
      ps.forEach(function (p) {
        el("line", {x1: gx(mx), y1: gy(my), x2: gx(p.x), y2: gy(p.y)}, meetLayer);
      });
    });
    byId("week-label").textContent = W.week + " " + week;
  }

  const slider = byId("week");
  const button = byId("play");
  let timer = null;
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    button.textContent = W.play;
  }
  button.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (Number(slider.value) >= DATA.weeks - 1) slider.value = 0;
    button.textContent = W.pause;
    timer = setInterval(function () {
      const next = Number(slider.value) + 1;
      if (next >= DATA.weeks) { stop(); return; }
      slider.value = next;
      const run = DATA.runs[currentKey()];
      if (run) drawGraph(run, next);
    }, 150);
  });
  slider.addEventListener("input", function () {
    const run = DATA.runs[currentKey()];
    if (run) drawGraph(run, Number(slider.value));
  });

  function render() {
    const key = currentKey();
    const run = DATA.runs[key];
    document.body.dataset.run = key;
    const verdict = byId("verdict");
    const story = byId("story");
    clear(story);
    if (!run) {
      // A page built on part of the grid: say so rather than show another design's numbers.
      verdict.className = "verdict";
      verdict.textContent = W.missing;
      ["member-spent", "member-saved", "org-spent", "org-saved"].forEach(function (id) {
        bar(id, 0, 1, "–");
      });
      ["member-note", "org-note", "coming", "coming-note"].forEach(function (id) {
        byId(id).textContent = "";
      });
      clear(byId("attendance-chart"));
      return;
    }
    const purpose = key.split("|")[0];
    verdict.className = "verdict " + run.verdict.kind;
    verdict.textContent = run.verdict.text;
    run.story.forEach(function (sentence) {
      const p = document.createElement("p");
      p.textContent = sentence;
      story.appendChild(p);
    });
    const n = run.numbers, s = run.shown, scale = SCALE[purpose];
    byId("member-title").textContent = s.member_title;
    bar("member-spent", n.hours_per_member_year, scale.member, s.member_spent);
    bar("member-saved", n.hours_saved_per_member_year, scale.member, s.member_saved);
    byId("member-note").textContent = s.member_note;
    bar("org-spent", n.total_hours_year, scale.org, s.org_spent);
    bar("org-saved", n.sponsor_hours_saved_year, scale.org, s.org_saved);
    byId("org-note").textContent = s.org_note;
    byId("coming").textContent = s.coming;
    byId("coming-note").textContent = s.coming_note;
    drawAttendance(run, DATA.runs[blindKey(key)], DATA.graphs[purpose].target);
    drawNetwork(purpose);
    drawGraph(run, Number(slider.value));
  }
  byId("controls").addEventListener("change", render);
  // Charts are drawn at their size on screen: draw again when it changes.
  let resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(render, 100);
  });
  render();
})();
