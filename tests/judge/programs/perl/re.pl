use strict;
use warnings;

my ($a, $b) = split ' ', <STDIN>;
die "deliberate runtime error\n" if $a + $b > 0;
print $a + $b, "\n";
