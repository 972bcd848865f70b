"""nbgrader configuration for bpcourse (used by `make release`, the grading commands and tests).

solutions/ is the single source of truth; notebooks/ is the student release generated from it.
"""

c = get_config()  # noqa: F821  (nbgrader provides get_config)

c.CourseDirectory.course_id = "bpcourse"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Student releases are committed without outputs.
c.ClearOutputPreprocessor.enabled = True
