"""QualBench core: the Qt-free domain model, storage and services of the qualitative workbench."""

__version__ = "0.1.0"
