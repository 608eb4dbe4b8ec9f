"""What people see and read: figure data, drawing, the HTML report, the teaching page,
``explain``, and the words and number formats of each language."""
