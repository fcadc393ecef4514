/** The side panel: every hyperparameter of the selected node, in people's words, edited live. */
import type { GNode, LayerInfo, NodeReport, Param } from './api.js';

/** A field's text as the option's value; text that is not a valid value is sent as is, for the library to explain. */
function parseValue(p: Param, raw: string): unknown {
  const t = raw.trim();
  if (p.kind === 'int' || p.kind === 'number') return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
  if (p.kind === 'ints' || p.kind === 'intOrInts') {
    const parts = t.split(/[\s,×x]+/).filter(Boolean);
    const nums = parts.map(Number);
    if (parts.length === 0 || nums.some((v) => !Number.isFinite(v))) return t;
    return p.kind === 'intOrInts' && nums.length === 1 ? nums[0] : nums;
  }
  return t;
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v));

export function renderPanel(el: HTMLElement, node: GNode | undefined, info: LayerInfo | undefined, report: NodeReport | undefined,
  changed: (what: 'param' | 'type') => void, rename: (type: string) => void): void {
  el.replaceChildren();
  if (!node) {
    el.innerHTML = '<p class="hint">Click a layer in the palette to add it below the selected one, or drag it onto the canvas. Connect a node\'s right dot to another\'s left dot. Select a node to set its hyperparameters; Delete removes it.</p>';
    return;
  }
  const h = document.createElement('h3');
  h.textContent = `${info?.label ?? node.type} — ${node.id}`;
  el.append(h);
  if (info?.variants) {
    const sel = document.createElement('select');
    sel.name = 'variant';
    for (const t of info.variants.types) sel.add(new Option(t, t, false, t === node.type));
    sel.addEventListener('change', () => rename(sel.value));
    el.append(field(info.variants.label, sel));
  }
  for (const p of info?.params ?? []) {
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.kind === 'choice') {
      input = document.createElement('select');
      for (const c of p.choices ?? []) input.add(new Option(c, c, false, c === node.params[p.key]));
      if (node.params[p.key] === undefined) input.add(new Option('(default)', '', true, true));
    } else if (p.kind === 'bool') {
      input = document.createElement('input');
      input.type = 'checkbox';
      input.checked = (node.params[p.key] ?? p.default) === true;
    } else {
      input = document.createElement('input');
      input.type = 'text';
      input.value = show(node.params[p.key]);
      input.placeholder = p.default === undefined ? 'default' : show(p.default);
    }
    input.name = p.key;
    const update = () => {
      if (input instanceof HTMLInputElement && input.type === 'checkbox') node.params[p.key] = input.checked;
      else if (input.value === '' && (p.default === undefined || p.kind === 'choice')) delete node.params[p.key];
      else node.params[p.key] = parseValue(p, input.value);
      changed('param');
    };
    input.addEventListener('input', update);
    input.addEventListener('change', update);
    el.append(field(p.label, input, p.help));
  }
  // Options the palette does not list (from an imported model or spec) stay editable as JSON.
  const known = new Set((info?.params ?? []).map((p) => p.key));
  const extra = Object.fromEntries(Object.entries(node.params).filter(([k]) => !known.has(k)));
  const ta = document.createElement('textarea');
  ta.name = 'extra';
  ta.value = Object.keys(extra).length ? JSON.stringify(extra, null, 1) : '';
  ta.placeholder = '{ "kernelInitializer": "heNormal" }';
  ta.addEventListener('change', () => {
    try {
      const v = ta.value.trim() ? JSON.parse(ta.value) : {};
      for (const k of Object.keys(node.params)) if (!known.has(k)) delete node.params[k];
      Object.assign(node.params, v);
      ta.classList.remove('bad');
      changed('param');
    } catch {
      ta.classList.add('bad');
    }
  });
  el.append(field('other options (JSON, st.layers names)', ta));
  const status = document.createElement('div');
  status.className = 'node-status';
  status.textContent = report?.error ? `error: ${report.error}` : report?.shape ? `output [${report.shape.map((d) => d ?? 'batch').join(', ')}], ${report.params ?? 0} params` : '';
  el.append(status);
}

function field(label: string, input: HTMLElement, help?: string): HTMLElement {
  const l = document.createElement('label');
  l.className = 'field';
  const s = document.createElement('span');
  s.textContent = label;
  l.append(s, input);
  if (help) l.title = help;
  return l;
}
