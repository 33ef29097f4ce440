// axe-core's serious and critical violations of the page, one line each.
async (options) => (await axe.run(document, options)).violations
  .filter(x => x.impact === 'serious' || x.impact === 'critical')
  .map(x => `${x.impact} ${x.id}: ${x.help} (${x.nodes.length}x, e.g. ${x.nodes[0].target})`)
