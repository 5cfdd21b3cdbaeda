"""Guanxi (关系): CRM and customer-service analytics for online shops."""

__version__ = "0.1.0"
