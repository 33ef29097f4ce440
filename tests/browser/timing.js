// [ms to the first contentful paint, ms to the request of Material's script, paths requested]
() => [
  performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
  performance.getEntriesByType('resource')
    .find(e => /\/bundle\.[0-9a-f]+\.min\.js$/.test(new URL(e.name).pathname))?.startTime ?? null,
  performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)]
