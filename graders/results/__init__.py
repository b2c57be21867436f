"""What grading gives: gradebook tables, exports, certification tiers, certificates, badges, xAPI, cohort analytics."""
