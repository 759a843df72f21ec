// The demo page: talks to the same /v1 API as any client.
const $ = (id) => document.getElementById(id);
const state = { file: null, models: [], limits: null, shown: false, rerender: 0 };

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function authHeaders() {
  const token = $('token').value.trim();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function apiError(res) {
  try {
    const body = await res.json();
    return `${res.status} ${body.error.code}: ${body.error.message}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

function selectedModel() {
  return state.models.find((m) => m.name === $('model').value);
}

function syncAlpha() {
  const model = selectedModel();
  const slider = $('alpha');
  slider.disabled = !model?.alphaSupported;
  if (model?.alphaSupported && model.defaultAlpha != null && !slider.dataset.touched) slider.value = String(model.defaultAlpha);
  $('alpha-value').textContent = slider.disabled ? 'n/a' : Number(slider.value).toFixed(2);
}

async function loadModels() {
  const res = await fetch('/v1/models', { headers: authHeaders() });
  if (!res.ok) throw new Error(await apiError(res));
  const body = await res.json();
  state.models = body.models;
  state.limits = body.limits ?? null;
  showLimits();
  $('model').replaceChildren(
    ...state.models.map((m) => {
      const net = m.channels === 'luma' ? `${m.architecture} on luma, bicubic colour` : m.architecture;
      return new Option(`${m.name} (x${m.scale}, ${net})`, m.name, m.default, m.default);
    }),
  );
  syncAlpha();
}

function showLimits() {
  const l = state.limits;
  if (!l) return;
  const side = Math.floor(Math.sqrt(l.maxInputPixels));
  $('limits').textContent = `Up to ${(l.maxInputPixels / 1e6).toFixed(2)} MP input (e.g. ${side}×${side}) and ${Math.round(l.maxBodyBytes / 2 ** 20)} MiB; JPEG/WebP output up to ${(l.maxBufferedOutputPixels / 1e6).toFixed(1)} MP (PNG is streamed).`;
}

/** Hides a previous result so an error never stands next to stale pictures or numbers. */
function clearResult() {
  for (const id of ['before', 'after']) {
    if ($(id).src.startsWith('blob:')) URL.revokeObjectURL($(id).src);
    $(id).removeAttribute('src');
  }
  $('result').hidden = true;
  $('metrics').hidden = true;
  state.shown = false;
}

async function chooseFile(file) {
  if (!file) return;
  clearResult();
  state.file = file;
  const l = state.limits;
  let tooBig = l && file.size > l.maxBodyBytes ? `${Math.round(file.size / 2 ** 20)} MiB is over the ${Math.round(l.maxBodyBytes / 2 ** 20)} MiB limit` : '';
  try {
    const bitmap = await createImageBitmap(file);
    if (!tooBig && l && bitmap.width * bitmap.height > l.maxInputPixels) tooBig = `${bitmap.width}×${bitmap.height} is over the ${(l.maxInputPixels / 1e6).toFixed(2)} MP limit`;
    bitmap.close();
  } catch {
    // not decodable here; the server will say why
  }
  $('upscale').disabled = Boolean(tooBig);
  $('evaluate').disabled = Boolean(tooBig);
  setStatus(tooBig ? `${file.name}: ${tooBig}` : `${file.name} (${Math.round(file.size / 1024)} KiB) ready`, Boolean(tooBig));
}

function showMetrics(rows) {
  $('metric-list').replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dd.dataset.metric = k;
      return [dt, dd];
    }),
  );
  $('metrics').hidden = false;
}

function query(extra = {}) {
  const q = new URLSearchParams({ model: $('model').value, ...extra });
  if (!$('alpha').disabled) q.set('alpha', $('alpha').value);
  return q;
}

async function upscale() {
  setStatus('Upscaling…');
  $('upscale').disabled = true;
  try {
    const t0 = performance.now();
    const res = await fetch(`/v1/upscale?${query({ format: $('format').value })}`, {
      method: 'POST',
      headers: { 'Content-Type': state.file.type || 'application/octet-stream', ...authHeaders() },
      body: state.file,
    });
    if (!res.ok) throw new Error(await apiError(res));
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    $('before').src = URL.createObjectURL(state.file);
    $('after').src = url;
    $('download').href = url;
    $('download').download = `upscaled.${$('format').value}`;
    $('result').hidden = false;
    state.shown = true;
    $('consistency-note').hidden = false;
    const h = (name) => res.headers.get(name) ?? '–';
    showMetrics([
      ['Model', h('X-SR-Model')],
      ['α', h('X-SR-Alpha')],
      ['Scale', `x${h('X-SR-Scale')}`],
      ['Tiles', h('X-SR-Tiles')],
      ['Consistency PSNR (dB)', h('X-SR-Consistency-PSNR')],
      ['Consistency SSIM', h('X-SR-Consistency-SSIM')],
      ['Server timing', h('Server-Timing')],
      ['Round trip', `${Math.round(performance.now() - t0)} ms`],
    ]);
    setStatus('Done');
  } catch (err) {
    clearResult();
    setStatus(err.message, true);
  } finally {
    $('upscale').disabled = false;
  }
}

async function evaluate() {
  setStatus('Evaluating…');
  try {
    const res = await fetch(`/v1/evaluate?${query()}`, {
      method: 'POST',
      headers: { 'Content-Type': state.file.type || 'application/octet-stream', ...authHeaders() },
      body: state.file,
    });
    if (!res.ok) throw new Error(await apiError(res));
    const r = await res.json();
    $('consistency-note').hidden = true;
    showMetrics([
      ['Model', r.model],
      ['Scale', `x${r.scale}`],
      ['PSNR-Y (dB)', r.psnr.toFixed(3)],
      ['SSIM-Y', r.ssim.toFixed(4)],
      ['Bicubic PSNR-Y (dB)', r.bicubic.psnr.toFixed(3)],
      ['Bicubic SSIM-Y', r.bicubic.ssim.toFixed(4)],
      ['Border crop', `${r.crop} px`],
    ]);
    setStatus('Done');
  } catch (err) {
    clearResult();
    setStatus(err.message, true);
  }
}

$('file').addEventListener('change', (e) => chooseFile(e.target.files[0]));
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  chooseFile(e.dataTransfer.files[0]);
});
$('model').addEventListener('change', syncAlpha);
$('alpha').addEventListener('input', () => {
  $('alpha').dataset.touched = '1';
  syncAlpha();
  // A shown result follows the slider, once it rests for a moment.
  clearTimeout(state.rerender);
  if (state.shown && state.file) state.rerender = setTimeout(upscale, 400);
});
$('after').addEventListener('load', () => {
  $('compare').style.width = `${$('after').naturalWidth}px`;
});
$('split').addEventListener('input', (e) => {
  $('after-clip').style.clipPath = `inset(0 0 0 ${e.target.value}%)`;
});
$('upscale').addEventListener('click', upscale);
$('evaluate').addEventListener('click', evaluate);
$('token').addEventListener('change', () => loadModels().catch((err) => setStatus(err.message, true)));
loadModels().catch((err) => setStatus(`Could not list models: ${err.message}`, true));
