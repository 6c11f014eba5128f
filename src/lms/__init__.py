"""JNTU GV LMS."""
