"""Reports people open outside Python: Excel workbooks, PNG plots and self-contained HTML pages."""
