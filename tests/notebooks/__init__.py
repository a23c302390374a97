"""Tests of the lesson notebooks: structure, nbgrader release, and the catalogue of student answers."""
