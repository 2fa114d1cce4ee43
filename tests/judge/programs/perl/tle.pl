use strict;
use warnings;

my ($n) = split ' ', <STDIN>;
$n = ($n * 3 + 1) % 1000003 + 1 while $n != -1;
