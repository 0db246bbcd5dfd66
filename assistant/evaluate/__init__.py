"""Measuring the assistant on a QA set, beside the LangChain tutorial pipeline."""
