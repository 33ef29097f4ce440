// Figures as displayed. The inline diagram's text (styled by extra.css, so only a browser
// knows its size): at least minPx and never overlapping. The generated figures are drawn with
// text of at least 11 pt for a width of minWidth pt (tests/test_figures.py): shown at least
// minWidth CSS px wide, their text is at least 11 px. The page's own text, code included, is
// at least minPx too (Material's code in admonitions and tables was 10.9 px). Returns
// {small, overlaps, narrow}.
({minPx, minWidth}) => {
  const small = [], overlaps = [], narrow = [];
  for (const svg of document.querySelectorAll('.md-content svg')) {
    const texts = [...svg.querySelectorAll('text')]
      .filter(t => t.textContent.trim() && t.getClientRects().length);
    for (const t of texts) {
      const m = t.getScreenCTM();
      const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      if (px < minPx - 0.01) small.push(`"${t.textContent}" is ${px.toFixed(1)} px`);
    }
    const boxes = texts.map(t => t.getBoundingClientRect());
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push(`"${texts[i].textContent}" and "${texts[j].textContent}"`);
    }
  }
  const walker = document.createTreeWalker(document.querySelector('.md-content'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.data.trim() || el.closest('svg') || !el.getClientRects().length) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px < minPx - 0.01) small.push(`"${walker.currentNode.data.trim().slice(0, 30)}" is ${px.toFixed(1)} px`);
  }
  for (const img of document.querySelectorAll('.md-content img[src*="assets/generated/"]')) {
    if (!img.getClientRects().length) continue;
    const s = getComputedStyle(img);
    const width = img.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (width < minWidth - 0.01) narrow.push(`${img.src.split('/').pop()}: ${width} px`);
  }
  return {small, overlaps, narrow};
}
