"""Goals, measures and their follow-up (the city's steering chain) in the web application."""
