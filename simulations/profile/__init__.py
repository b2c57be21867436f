"""An organisation's profile: the facts a course is tailored to, partner rules included, validated on load."""
