// propscope page: sends the article to POST /api/analyze and shows the result.
// Every piece of article text goes into the page as a text node (never as HTML), so an
// article that contains markup or <script> shows as text.
"use strict";

const state = {
  techniques: new Map(), // name -> {name, category, definition, example, label}
  colours: new Map(), // category -> colour
  fallbackColour: "#dddddd", // of a span without a known category (/api/techniques says)
  result: null, // the API result, exactly as received
  selected: new Set(), // techniques pressed in the legend (empty: all shown)
  // The slider starts at the model's default floor (result.model.min_confidence: 0.35-0.4
  // for the bundled models). The page asks the API for every span so that it can go lower.
  minScore: 0.5,
  sliderMoved: false, // once the reader moves the slider, a new result keeps their choice
};

const byId = (id) => document.getElementById(id);

// Make an element; string children become text nodes.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

const colourOf = (category) => state.colours.get(category) || state.fallbackColour;
const labelOf = (name) => (state.techniques.get(name) || { label: name || "Propaganda" }).label;
const fmt = (score) => Number(score).toFixed(2);

async function getJSON(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

async function loadTaxonomy() {
  try {
    const [taxonomy, health] = await Promise.all([
      getJSON("/api/techniques"),
      getJSON("/api/health"),
    ]);
    for (const c of taxonomy.categories) state.colours.set(c.name, c.colour);
    state.fallbackColour = taxonomy.fallback_colour;
    for (const t of taxonomy.techniques) state.techniques.set(t.name, t);
    byId("model-info").textContent =
      `Model ${health.model.name} ${health.model.version} · propscope ${health.propscope}`;
  } catch (error) {
    showError(`Cannot reach the server: ${error.message}`);
  }
  document.body.dataset.ready = "true";
}

function showError(message) {
  const box = byId("error");
  box.textContent = message;
  box.hidden = !message;
}

function setBusy(busy, message = "") {
  for (const id of ["analyze-text", "analyze-url", "article-file"]) byId(id).disabled = busy;
  byId("status").textContent = message;
}

async function analyze(payload, what) {
  showError("");
  const threshold = byId("threshold").value.trim();
  if (threshold !== "") payload.threshold = Number(threshold);
  payload.min_confidence = 0; // every span: the slider hides those under the model's floor
  setBusy(true, `Analysing ${what}…`);
  try {
    const response = await fetch("/api/analyze", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(data.error ? data.error.message : `HTTP ${response.status}`);
    }
    state.result = data;
    state.selected.clear();
    // The slider starts at the model's floor (the spans the CLI and API show by default) until
    // the reader moves it.
    if (!state.sliderMoved && typeof data.model.min_confidence === "number") {
      state.minScore = data.model.min_confidence;
      byId("min-score").value = String(state.minScore);
      byId("min-score-value").textContent = fmt(state.minScore);
    }
    render();
    const shown = data.spans.filter((s) => s.score >= state.minScore).length;
    const floor = fmt(state.minScore);
    setBusy(false, `Found ${data.spans.length} spans in ${what}; ${shown} at or above ${floor}.`);
    byId("results").focus();
  } catch (error) {
    setBusy(false, "");
    showError(error.message);
  }
}

// Offsets in the API count code points; JavaScript strings count UTF-16 units.
function unitOffsets(text) {
  const units = [0];
  let unit = 0;
  for (const ch of text) {
    unit += ch.length;
    units.push(unit);
  }
  return units;
}

// Lines (split at \n) cut at every span boundary: [[{start, end, spans}], ...] in code points.
function segmentLines(chars, spans) {
  const lines = [];
  let lineStart = 0;
  const ranges = [];
  chars.forEach((ch, i) => {
    if (ch === "\n") {
      ranges.push([lineStart, i]);
      lineStart = i + 1;
    }
  });
  ranges.push([lineStart, chars.length]);
  for (const [start, end] of ranges) {
    const cuts = new Set([start, end]);
    for (const s of spans) {
      if (s.start > start && s.start < end) cuts.add(s.start);
      if (s.end > start && s.end < end) cuts.add(s.end);
    }
    const ordered = [...cuts].sort((a, b) => a - b);
    const segments = [];
    for (let i = 0; i + 1 < ordered.length; i++) {
      const [a, b] = [ordered[i], ordered[i + 1]];
      const covering = [];
      spans.forEach((s, k) => {
        if (s.start < b && s.end > a) covering.push(k);
      });
      segments.push({ start: a, end: b, spans: covering });
    }
    lines.push(segments);
  }
  return lines;
}

function renderSummary(result) {
  const summary = byId("summary");
  summary.replaceChildren();
  const item = (term, ...value) => summary.append(el("div", {}, el("dt", {}, term), el("dd", {}, ...value)));
  const zeroShot = result.zero_shot ? " (zero-shot: the model was not trained on it)" : "";
  item("Language", `${result.language}${zeroShot}`);
  item("Genre", result.genre ? `${result.genre.name} (${fmt(result.genre.score)})` : "–");
  const frames = result.frames.map((f) => `${f.name.replaceAll("_", " ")} (${fmt(f.score)})`);
  item("Frames", frames.length ? frames.join(", ") : "none above threshold");
  item("Spans", String(result.spans.length));
  item("Model", `${result.model.name} ${result.model.version}`);
}

function renderArticle(result) {
  const chars = Array.from(result.text);
  const units = unitOffsets(result.text);
  const paragraphs = new Map(result.paragraphs.map((p) => [p.index, p]));
  const article = byId("article");
  article.replaceChildren();
  article.lang = result.language || "";
  segmentLines(chars, result.spans).forEach((segments, i) => {
    const line = el("div", { class: "line" });
    for (const seg of segments) {
      const piece = result.text.slice(units[seg.start], units[seg.end]);
      if (!seg.spans.length) {
        line.append(piece);
        continue;
      }
      line.append(
        el(
          "mark",
          {
            class: "seg",
            tabindex: "0",
            "data-start": seg.start,
            "data-end": seg.end,
            "data-spans": seg.spans.join(" "),
            "aria-describedby": "tooltip",
          },
          piece,
        ),
      );
    }
    const paragraph = paragraphs.get(i + 1);
    const labels = el("div", { class: "labels" });
    if (paragraph && paragraph.techniques.length) {
      labels.setAttribute("aria-label", `Techniques in paragraph ${i + 1}`);
      for (const t of paragraph.techniques) {
        const technique = state.techniques.get(t.name);
        const chip = el("span", { class: "chip", "data-technique": t.name }, `${labelOf(t.name)} ${fmt(t.score)}`);
        chip.style.setProperty("--c", colourOf(technique && technique.category));
        labels.append(chip);
      }
    }
    const row = el("div", { class: "para", "data-line": i + 1 }, line, labels);
    if (labels.childElementCount) row.classList.add("has-labels");
    article.append(row);
  });
}

function renderLegend(result) {
  const legend = byId("legend");
  legend.replaceChildren();
  const names = [...new Set(result.spans.map((s) => s.technique))];
  names.sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
  for (const name of names) {
    const technique = state.techniques.get(name) || { category: null, definition: "" };
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.setProperty("--c", colourOf(technique.category));
    const button = el(
      "button",
      { type: "button", "aria-pressed": "false", "data-technique": name, title: technique.definition },
      swatch,
      el("span", { class: "name" }, labelOf(name)),
      el("span", { class: "count" }, "0"),
    );
    button.addEventListener("click", () => {
      if (state.selected.has(name)) state.selected.delete(name);
      else state.selected.add(name);
      applyFilters();
    });
    legend.append(el("li", {}, button));
  }
  if (!names.length) legend.append(el("li", { class: "hint" }, "No technique above its threshold."));
}

// Which spans show: score at least the slider value, and a technique pressed in the legend
// (or none pressed). Each segment takes the colour of its most confident visible span.
function applyFilters() {
  const spans = state.result.spans;
  const visible = spans.map(
    (s) => s.score >= state.minScore && (!state.selected.size || state.selected.has(s.technique)),
  );
  for (const mark of byId("article").querySelectorAll("mark.seg")) {
    const active = mark.dataset.spans.split(" ").map(Number).filter((k) => visible[k]);
    mark.dataset.active = active.join(" ");
    if (!active.length) {
      mark.classList.add("off");
      mark.classList.remove("multi");
      mark.tabIndex = -1;
      continue;
    }
    const best = active.reduce((a, b) => (spans[b].score > spans[a].score ? b : a));
    mark.style.setProperty("--c", colourOf(spans[best].category));
    mark.classList.remove("off");
    mark.classList.toggle("multi", active.length > 1);
    mark.tabIndex = 0;
  }
  for (const button of byId("legend").querySelectorAll("button")) {
    const name = button.dataset.technique;
    const count = spans.filter((s) => s.technique === name && s.score >= state.minScore).length;
    button.querySelector(".count").textContent = String(count);
    button.classList.toggle("empty", count === 0);
    button.setAttribute("aria-pressed", String(state.selected.has(name)));
  }
}

function render() {
  const result = state.result;
  renderSummary(result);
  renderArticle(result);
  renderLegend(result);
  byId("results").hidden = false;
  applyFilters();
}

function showTooltip(mark) {
  const tip = byId("tooltip");
  const spans = state.result.spans;
  const active = (mark.dataset.active || "").split(" ").filter(Boolean).map(Number);
  if (!active.length) return hideTooltip();
  active.sort((a, b) => spans[b].score - spans[a].score);
  tip.replaceChildren(
    ...active.map((k) => {
      const span = spans[k];
      const technique = state.techniques.get(span.technique) || { definition: "" };
      return el(
        "div",
        { class: "tip-item" },
        el("strong", {}, labelOf(span.technique)),
        `${span.category || ""} · confidence ${fmt(span.score)}`,
        el("p", {}, technique.definition),
      );
    }),
  );
  tip.hidden = false;
  const box = mark.getBoundingClientRect();
  const left = Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
  tip.style.left = `${Math.max(8, left)}px`;
  tip.style.top = `${box.bottom + window.scrollY + 6}px`;
}

function hideTooltip() {
  byId("tooltip").hidden = true;
}

function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const fileStem = () => `propscope-${String(state.result.id).replace(/[^\w.-]+/g, "_").slice(0, 60)}`;

// The result as shown: the spans under the slider's confidence are left out of the downloads.
function shownResult() {
  const spans = state.result.spans.filter((s) => s.score >= state.minScore);
  return { ...state.result, spans };
}

async function downloadReport() {
  showError("");
  const response = await fetch("/api/report", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(shownResult()),
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    return showError(data.error ? data.error.message : `HTTP ${response.status}`);
  }
  download(`${fileStem()}.html`, await response.blob());
}

async function readFile(file) {
  if (!file) return;
  if (file.size > 5_000_000) return showError(`${file.name} is larger than 5 MB.`);
  const content = await file.text();
  if (/\.html?$/i.test(file.name) || file.type === "text/html") {
    await analyze({ html: content }, file.name);
  } else {
    byId("article-text").value = content;
    await analyze({ text: content }, file.name);
  }
}

function wire() {
  byId("text-form").addEventListener("submit", (event) => {
    event.preventDefault();
    analyze({ text: byId("article-text").value }, "the text");
  });
  byId("article-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) byId("text-form").requestSubmit();
  });
  byId("url-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const url = byId("article-url").value.trim();
    analyze({ url }, url || "the URL");
  });
  const fileInput = byId("article-file");
  fileInput.addEventListener("change", () => readFile(fileInput.files[0]));
  const drop = byId("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    readFile(event.dataTransfer.files[0]);
  });
  const slider = byId("min-score");
  slider.addEventListener("input", () => {
    state.minScore = Number(slider.value);
    state.sliderMoved = true;
    byId("min-score-value").textContent = fmt(slider.value);
    if (state.result) applyFilters();
  });
  byId("legend-clear").addEventListener("click", () => {
    state.selected.clear();
    applyFilters();
  });
  byId("download-json").addEventListener("click", () => {
    const body = JSON.stringify(shownResult(), null, 2);
    download(`${fileStem()}.json`, new Blob([body], { type: "application/json" }));
  });
  byId("download-report").addEventListener("click", downloadReport);
  const article = byId("article");
  const markOf = (target) => (target instanceof Element ? target.closest("mark.seg") : null);
  article.addEventListener("mouseover", (event) => {
    const mark = markOf(event.target);
    if (mark) showTooltip(mark);
  });
  article.addEventListener("mouseout", (event) => {
    if (markOf(event.target)) hideTooltip();
  });
  article.addEventListener("focusin", (event) => {
    const mark = markOf(event.target);
    if (mark) showTooltip(mark);
  });
  article.addEventListener("focusout", hideTooltip);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTooltip();
  });
}

wire();
loadTaxonomy();
