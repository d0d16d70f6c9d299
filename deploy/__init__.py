"""Ways to run the app for a team (see the README, "Private deployment for a team")."""
