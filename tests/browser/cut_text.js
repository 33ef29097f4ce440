// Every rendered line of every code block, and every table cell, on the page against what its
// scrolling boxes show. A line or cell is cut when any of its text ends right of that (the
// reader reaches it only by scrolling the box sideways). Output lines are a page's `#>` lines
// and a notebook's outputs; the others are code lines. Returns {outputs: n, code: n,
// cutOutputs: [line, ...], cutCode: [line, ...], cutCells: ["first header…: cell", ...],
// narrow: [paragraph narrower than the column, ...]}.
() => {
  const closed = [...document.querySelectorAll('.md-content details:not([open])')];
  for (const d of closed) d.open = true;  // a reader opens them: their code counts too
  const blocks = document.querySelectorAll(
    '.md-content pre > code, .md-content .highlight-ipynb > pre, .md-content .jp-OutputArea-output pre');
  const out = {outputs: 0, code: 0, cutOutputs: [], cutCode: [], cutCells: []};
  const visibleRight = el => {
    let right = document.documentElement.clientWidth;
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') {
        right = Math.min(right, box.getBoundingClientRect().left + box.clientLeft + box.clientWidth);
      }
    }
    return right;
  };
  for (const block of blocks) {
    if (!block.getClientRects().length) continue;  // in a content tab not shown
    const isOutput = !!block.closest('.jp-OutputArea-output');
    const right = visibleRight(block) + 0.5;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let text = '';
    while (walker.nextNode()) {
      nodes.push([walker.currentNode, text.length]);
      text += walker.currentNode.data;
    }
    const at = offset => {  // the text node and offset in it of a character of `text`
      let i = nodes.length - 1;
      while (i > 0 && nodes[i][1] > offset) i--;
      return [nodes[i][0], offset - nodes[i][1]];
    };
    let start = 0;
    for (const line of text.replace(/\n$/, '').split('\n')) {
      const shown = line.trimEnd();
      const output = isOutput || shown.trimStart().startsWith('#>');
      if (shown.trim()) {
        // each run of visible characters: the spaces at a wrap may hang past the edge, unseen
        const cut = [...line.matchAll(/\S+/g)].some(word => {
          const range = document.createRange();
          range.setStart(...at(start + word.index));
          range.setEnd(...at(start + word.index + word[0].length));
          return [...range.getClientRects()].some(r => r.right > right);
        });
        if (output) out.outputs++; else out.code++;
        if (cut) (output ? out.cutOutputs : out.cutCode).push(shown);
      }
      start += line.length + 1;
    }
  }
  for (const table of document.querySelectorAll('.md-content table')) {
    if (!table.getClientRects().length) continue;  // in a content tab not shown
    const right = visibleRight(table) + 0.5;
    for (const cell of table.querySelectorAll('th, td')) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      if ([...range.getClientRects()].some(r => r.width && r.right > right)) {
        out.cutCells.push(`${table.querySelector('th')?.textContent.trim()}…: ${cell.textContent.trim()}`);
      }
    }
  }
  // A paragraph of the page's own text is as wide as the column: a box that shrinks beside
  // the floated page buttons (a notebook's flex cells did) squeezes it.
  const column = document.querySelector('.md-content__inner');
  const style = getComputedStyle(column);
  const width = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  out.narrow = [...column.querySelectorAll(':scope > p, .jp-RenderedMarkdown > p')]
    .filter(p => p.getClientRects().length && p.getBoundingClientRect().width < width - 1)
    .map(p => `${Math.round(p.getBoundingClientRect().width)} of ${Math.round(width)} px: ${p.textContent.slice(0, 40)}`);
  for (const d of closed) d.open = false;
  return out;
}
