"""Pictures of the argument, computed at build time: the explorer's graph data, the heat map, neighbourhoods, the overview."""
