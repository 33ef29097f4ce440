// The text of every table cell against what its scrolling boxes show: a cell is cut when its
// text ends right of them (the reader reaches it only by scrolling the table sideways).
// Returns the cut cells' texts, each with its table's first header.
() => {
  const cut = [];
  for (const table of document.querySelectorAll('.md-content table')) {
    if (!table.getClientRects().length) continue;  // in a content tab not shown
    let right = document.documentElement.clientWidth;
    for (let box = table; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') {
        right = Math.min(right, box.getBoundingClientRect().left + box.clientLeft + box.clientWidth);
      }
    }
    for (const cell of table.querySelectorAll('th, td')) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      if ([...range.getClientRects()].some(r => r.width && r.right > right + 0.5)) {
        cut.push(`${table.querySelector('th')?.textContent.trim()}…: ${cell.textContent.trim()}`);
      }
    }
  }
  return cut;
}
