"""Structured JSON logs (Powertools Logger) shared by the API and the workers."""

from __future__ import annotations

from aws_lambda_powertools import Logger

from chalicelib.config import get_settings

logger = Logger(service="classreel", level=get_settings().log_level)
