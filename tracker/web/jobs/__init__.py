"""The pages of background jobs: a person's files, one job's progress, and its file."""
