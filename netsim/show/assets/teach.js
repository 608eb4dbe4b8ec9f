// netsim teaching page: switch between precomputed runs and draw them as SVG.
// No libraries, no network: everything it shows is in the JSON above this script.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("teach-data").textContent);
  const W = JSON.parse(document.getElementById("teach-words").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-";
  const BLIND = "automatic|lecture|vague|normal";
  const DEPT = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"];
  const lang = document.documentElement.lang;
  const fmt = new Intl.NumberFormat(lang === "da" ? "da-DK" : "en-GB", {maximumFractionDigits: 0});

  function el(name, attrs, parent, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function clear(svg) { while (svg.firstChild) svg.removeChild(svg.firstChild); }

  function currentKey() {
    return Object.keys({enrollment: 0, format: 0, goal: 0, pressure: 0}).map(function (name) {
      return document.querySelector('input[name="' + name + '"]:checked').value;
    }).join("|");
  }

  // A line chart frame: returns scale functions.
  function frame(svg, w, h, xmax, ymax, yfmt) {
    const m = {l: 44, r: 10, t: 10, b: 28};
    const x = function (v) { return m.l + (w - m.l - m.r) * v / xmax; };
    const y = function (v) { return h - m.b - (h - m.t - m.b) * v / ymax; };
    for (let k = 0; k <= 4; k++) {
      const v = ymax * k / 4;
      el("line", {x1: m.l, x2: w - m.r, y1: y(v), y2: y(v), stroke: "#e3e6ea"}, svg);
      el("text", {x: m.l - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11,
                  fill: "#5b6472"}, svg, yfmt(v));
    }
    const step = xmax > 60 ? 20 : 10;
    for (let v = 0; v <= xmax; v += step) {
      el("text", {x: x(v), y: h - 10, "text-anchor": "middle", "font-size": 11,
                  fill: "#5b6472"}, svg, String(v));
    }
    el("text", {x: w - m.r, y: h - 10, "text-anchor": "end", "font-size": 11,
                fill: "#5b6472"}, svg, W.week);
    return {x: x, y: y};
  }

  function path(points, sx, sy) {
    return points.map(function (p, k) {
      return (k ? "L" : "M") + sx(p[0]).toFixed(1) + "," + sy(p[1]).toFixed(1);
    }).join("");
  }

  function drawAttendance(run, blind) {
    const svg = document.getElementById("attendance-chart");
    clear(svg);
    const f = frame(svg, 600, 260, DATA.weeks, 1, function (v) { return Math.round(v * 100) + " %"; });
    el("path", {d: path(blind.attendance, f.x, f.y), fill: "none", stroke: "#9aa1ab",
                "stroke-width": 1.5, "stroke-dasharray": "5 4"}, svg);
    const line = el("path", {d: path(run.attendance, f.x, f.y), fill: "none", stroke: "#1b5e8c",
                             "stroke-width": 2.5, "class": "attendance-line"}, svg);
    line.dataset.points = run.attendance.length;
    run.attendance.forEach(function (p) {
      el("circle", {cx: f.x(p[0]), cy: f.y(p[1]), r: 3, fill: "#1b5e8c"}, svg);
    });
    el("text", {x: 590, y: 24, "text-anchor": "end", "font-size": 11, fill: "#9aa1ab"}, svg,
       "- - " + W.blind);
  }

  function drawHours(run) {
    const svg = document.getElementById("hours-chart");
    clear(svg);
    const n = run.numbers;
    const ww = DATA.working_week_hours;
    const ymax = Math.max(ww * 1.5, (n.hours_per_member_year || 0) * 1.15);
    const y = function (v) { return 220 - 190 * v / ymax; };
    const value = n.hours_per_member_year || 0;
    el("rect", {x: 110, y: y(value), width: 100, height: 220 - y(value), fill: "#1b5e8c",
                id: "hours-bar"}, svg);
    el("text", {x: 160, y: y(value) - 6, "text-anchor": "middle", "font-size": 16,
                "font-weight": 600}, svg, fmt.format(value));
    el("line", {x1: 40, x2: 220, y1: y(ww), y2: y(ww), stroke: "#d95f02", "stroke-width": 2,
                "stroke-dasharray": "6 3"}, svg);
    el("text", {x: 42, y: y(ww) - 4, "text-anchor": "start", "font-size": 11, fill: "#d95f02"},
       svg, W.working_week);
    el("text", {x: 130, y: 238, "text-anchor": "middle", "font-size": 11, fill: "#5b6472"}, svg,
       W.per_member);
    el("text", {x: 130, y: 254, "text-anchor": "middle", "font-size": 11, fill: "#5b6472"}, svg,
       W.total.replace("{hours}", fmt.format(n.total_hours_year || 0)));
  }

  // Both accounts in hours: a pair of bars (spent, saved) for a leader and for the
  // organisation, each pair on its own scale, the same for every run so that switching a
  // control shows a real change.
  const ACCOUNTS = [
    {spent: "hours_per_member_year", saved: "hours_saved_per_member_year", colour: "#1b7837",
     id: "participant", title: W.participants, unit: W.per_leader_year},
    {spent: "total_hours_year", saved: "sponsor_hours_saved_year", colour: "#762a83",
     id: "sponsor", title: W.sponsor, unit: W.organisation_year},
  ];
  ACCOUNTS.forEach(function (a) {
    a.max = 1;
    Object.values(DATA.runs).forEach(function (r) {
      a.max = Math.max(a.max, r.numbers[a.spent] || 0, r.numbers[a.saved] || 0);
    });
  });

  function drawValues(run) {
    const svg = document.getElementById("values-chart");
    clear(svg);
    ACCOUNTS.forEach(function (a, k) {
      const left = 20 + 440 * k, label = 90, width = 440 - label - 70;
      el("text", {x: left, y: 28, "font-size": 13, "font-weight": 600, fill: a.colour}, svg,
         a.title);
      el("text", {x: left, y: 205, "font-size": 11, fill: "#5b6472"}, svg, a.unit);
      [[W.spent, a.spent, "#b3b8bf"], [W.saved, a.saved, a.colour]].forEach(function (bar, j) {
        const value = run.numbers[bar[1]] || 0;
        const y = 50 + 70 * j;
        el("text", {x: left, y: y + 30, "font-size": 12, fill: "#1d2430"}, svg, bar[0]);
        el("rect", {x: left + label, y: y, width: Math.max(width * value / a.max, 0),
                    height: 46, fill: bar[2], id: a.id + "-" + (j ? "saved" : "spent")}, svg);
        el("text", {x: left + label + width * Math.max(value, 0) / a.max + 6, y: y + 30,
                    "font-size": 14, "font-weight": 600}, svg, fmt.format(value));
      });
    });
  }

  // The graph: nodes and ties drawn once; colours and rings change with the run and week.
  const graph = document.getElementById("graph");
  const G = {w: 880, h: 520, pad: 30};
  const gx = function (v) { return G.pad + (G.w - 2 * G.pad) * v; };
  const gy = function (v) { return G.pad + (G.h - 2 * G.pad) * v; };
  const edgeLayer = el("g", {stroke: "#c9ced6", "stroke-width": 0.7}, graph);
  DATA.edges.forEach(function (e) {
    const a = DATA.nodes[e[0]], b = DATA.nodes[e[1]];
    el("line", {x1: gx(a.x), y1: gy(a.y), x2: gx(b.x), y2: gy(b.y)}, edgeLayer);
  });
  const meetLayer = el("g", {stroke: "#d95f02", "stroke-width": 1, "stroke-opacity": 0.35}, graph);
  const circles = DATA.nodes.map(function (n) {
    return el("circle", {cx: gx(n.x), cy: gy(n.y), r: n.t ? 7 : 4.5, fill: "#ffffff",
                         stroke: DEPT[n.d % DEPT.length], "stroke-width": n.t ? 2.5 : 1.2}, graph);
  });
  const seen = {};
  DATA.nodes.forEach(function (n) {
    if (seen[n.d]) { seen[n.d].push(n); } else { seen[n.d] = [n]; }
  });
  Object.keys(seen).forEach(function (d) {
    const ns = seen[d];
    const cx = ns.reduce(function (s, n) { return s + n.x; }, 0) / ns.length;
    const top = Math.min.apply(null, ns.map(function (n) { return n.y; }));
    el("text", {x: gx(cx), y: gy(top) - 12, "text-anchor": "middle", "font-size": 13,
                "font-weight": 600, fill: DEPT[d % DEPT.length]}, graph, DATA.departments[d]);
  });
  const legend = el("g", {"font-size": 12, fill: "#1d2430"}, graph);
  el("circle", {cx: 40, cy: 545, r: 7, fill: "#fff", stroke: "#555", "stroke-width": 2.5}, legend);
  el("text", {x: 52, y: 549}, legend, W.legend_member);
  el("circle", {cx: 150, cy: 545, r: 4.5, fill: "#fff", stroke: "#555"}, legend);
  el("text", {x: 160, y: 549}, legend, W.legend_other);
  el("circle", {cx: 250, cy: 545, r: 7, fill: "#d95f02"}, legend);
  el("text", {x: 262, y: 549}, legend, W.legend_came);
  for (let k = 0; k < 5; k++) {
    el("rect", {x: 380 + 22 * k, y: 538, width: 20, height: 14, fill: blue(k / 4)}, legend);
  }
  el("text", {x: 496, y: 549}, legend, "↑ " + (lang === "da" ? "viden" : "knowledge"));

  function blue(level) {
    const l = 97 - 62 * level;
    return "hsl(210, 70%, " + l.toFixed(0) + "%)";
  }

  function meetingAt(run, week) {
    return run.meetings.find(function (m) { return m.week === week; });
  }

  function drawGraph(run, week) {
    const frameIndex = Math.min(week, run.knowledge.length - 1);
    const levels = run.knowledge[frameIndex] || "";
    const meeting = meetingAt(run, week);
    const groups = meeting ? meeting.groups : [];
    const came = new Set([].concat.apply([], groups.map(function (g) { return g.came; })));
    const members = new Set(run.members);
    while (meetLayer.firstChild) meetLayer.removeChild(meetLayer.firstChild);
    circles.forEach(function (c, i) {
      const level = ALPHABET.indexOf(levels.charAt(i)) / 63;
      c.setAttribute("fill", came.has(i) ? "#d95f02" : blue(Math.max(level, 0)));
      c.setAttribute("stroke-dasharray", DATA.nodes[i].t && !members.has(i) ? "2 2" : "");
    });
    groups.forEach(function (g) {
      if (!g.held) return;  // a cancelled meeting: they came to an empty room
      for (let a = 0; a < g.came.length; a++) {
        for (let b = a + 1; b < g.came.length; b++) {
          const p = DATA.nodes[g.came[a]], q = DATA.nodes[g.came[b]];
          el("line", {x1: gx(p.x), y1: gy(p.y), x2: gx(q.x), y2: gy(q.y)}, meetLayer);
        }
      }
    });
    document.getElementById("week-label").textContent = W.week + " " + week;
  }

  const slider = document.getElementById("week");
  const button = document.getElementById("play");
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
      drawGraph(DATA.runs[currentKey()], next);
    }, 150);
  });
  slider.addEventListener("input", function () {
    drawGraph(DATA.runs[currentKey()], Number(slider.value));
  });

  function render() {
    const key = currentKey();
    const run = DATA.runs[key];
    document.getElementById("story").textContent = run.story;
    document.body.dataset.run = key;
    drawAttendance(run, DATA.runs[BLIND]);
    drawHours(run);
    drawValues(run);
    drawGraph(run, Number(slider.value));
  }
  document.getElementById("controls").addEventListener("change", render);
  render();
})();
