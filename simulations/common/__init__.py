"""Shared utilities: data-file validation, tables, money, the five audiences and the kit's vocabulary ."""
