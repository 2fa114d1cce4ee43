/* Allocates and touches 200 MiB; meant to run under a 64 MiB limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const size_t chunk = 8u << 20;
    char *blocks[25];
    for (int i = 0; i < 25; i++) {
        blocks[i] = malloc(chunk);
        if (!blocks[i]) return 3;
        memset(blocks[i], i + 1, chunk);
    }
    long sum = 0;
    for (int i = 0; i < 25; i++) sum += blocks[i][i * 4096];
    printf("%ld\n", sum);
    return 0;
}
