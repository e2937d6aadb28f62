# Tidies scdoc's roff for mandoc -Tlint: a paragraph macro where no paragraph can start (after a
# heading or another one, before a heading) is dropped, one before the end of an indent moves
# after it, and blank lines outside literal blocks (scdoc leaves them after lists) go. A
# numbered item's text is aligned with the lines after it. Every hyphen in the text is \-, the
# ASCII hyphen-minus: options and commands copy and paste as they are, and no line breaks at one.
/^\.nf$/ { nofill = 1 }
/^\.fi$/ { nofill = 0 }
/^$/ && !nofill { next }
/^\\h'-04'[0-9]\.\\h'\+03'\\c$/ { sub(/\+03/, "+02") }
!/^\./ && !/^\\h'/ { gsub(/-/, "\\-") }
/^\.P$/ { if (prev !~ /^\.(SH|SS|TH|P|RS)/ && prev != "") pending = 1; next }
/^\.(SH|SS)( |$)/ { pending = 0 }
/^\.RE$/ { print; prev = $0; next }
{ if (pending) print ".P"; pending = 0; print; prev = $0 }
