// Everything the Tab key reaches, focused in turn: does anything visible change? (an outline,
// a shadow, a background or border). Transitions are switched off, so that the style read is
// the final one. An input drawn by the label after it (Material's palette and content tabs)
// shows the change on that label. Every element's look unfocused is read first, in one pass
// (one style and layout for all); then each is focused, which blurs the one before it.
// Returns {checked: n, missing: [element, ...]}.
() => {
  const off = document.createElement('style');
  off.textContent =
    '*, ::before, ::after { transition: none !important; animation: none !important; }';
  document.head.appendChild(off);
  if (document.activeElement) document.activeElement.blur();  // from the Tab that set the mode
  const look = el => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
      ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
    return [outline, s.boxShadow, s.backgroundColor, s.borderColor, s.textDecorationLine,
            s.opacity, s.transform].join('|');
  };
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const reached = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.tabIndex < 0 || el.disabled || el.closest('[hidden], [inert]')) continue;
    const r = el.getBoundingClientRect();
    const label = el.nextElementSibling;
    const shown = r.width > 1 && r.height > 1 ? el
      : label && label.tagName === 'LABEL' && label.getBoundingClientRect().width > 1
      ? label : null;
    if (shown && shown.checkVisibility({visibilityProperty: true})) {
      reached.push([el, shown, look(shown)]);
    }
  }
  const missing = [];
  let checked = 0;
  for (const [el, shown, before] of reached) {
    el.focus({preventScroll: true});
    if (document.activeElement !== el) continue;  // not focusable after all
    checked++;
    if (look(shown) === before) {
      const name = (el.getAttribute('aria-label') || el.textContent || el.id || '').trim();
      missing.push(`<${el.tagName.toLowerCase()} class="${el.className}"> ${name.slice(0, 40)}`);
    }
  }
  if (document.activeElement) document.activeElement.blur();
  off.remove();
  return {checked, missing};
}
