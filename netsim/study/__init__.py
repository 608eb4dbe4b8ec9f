"""Many runs: the replication runner, paired analysis and sensitivity, experiment files and
designs, and the SQLite result store."""
