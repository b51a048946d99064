"""Stages: the steps of a pipeline (NeMo Curator's ``nemo_curator.stages``)."""
