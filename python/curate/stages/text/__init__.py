"""Text stages (NeMo Curator's ``nemo_curator.stages.text``)."""
