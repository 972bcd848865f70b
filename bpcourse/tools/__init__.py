"""The instructor's tools around nbgrader: release, collection from an LMS, autograde, manual
grading, feedback and grade export. Imported by the command line (``python -m bpcourse``) and by
nbgrader (the preprocessors and plugins named in nbgrader_config.py), never by ``import
bpcourse``, which stays numpy-only.
"""
