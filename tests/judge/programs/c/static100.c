/* A 100 MiB static array, fully touched, then a+b: AC under 256 MiB,
 * reported memory must be 100 MiB +/- 3 MiB. */
#include <stdio.h>

#define SIZE (100u << 20)
static unsigned char big[SIZE];

int main(void) {
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) return 1;
    for (unsigned i = 0; i < SIZE; i += 4096) big[i] = (unsigned char)i;
    unsigned long check = 0;
    for (unsigned i = 0; i < SIZE; i += 4096) check += big[i];
    if (check == 1) puts("unreachable");
    printf("%lld\n", a + b);
    return 0;
}
