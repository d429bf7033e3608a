"""Enrolment: one-time invitations with which holders obtain their SM2 certificates."""
