"""Sending email: one small interface, SMTP on the local twin and Amazon SES in AWS."""
