"""Services: the only code that writes. Each public function is one unit of work and commits
once; helpers only flush. Read-side queries shared by views, API and exports live here too."""
