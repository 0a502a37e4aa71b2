"""Tests that open `netsim report` pages in headless Chromium (Selenium)."""
