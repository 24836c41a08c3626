"""kg: news articles as a faithful, traceable, validated event knowledge graph.

The pipeline, one module a stage: annotation -> mapper -> reason -> validate
-> store, driven by pipeline; cli and server are the edges.
"""

__version__ = "0.1.0"
