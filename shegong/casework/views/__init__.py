"""The casework pages: the caseload, one case through its six stages, my work, volunteers'
tasks, case studies and the caseload summary."""
