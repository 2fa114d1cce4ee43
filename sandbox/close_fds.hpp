// Closing inherited descriptors in a freshly cloned child: no allocation.
#pragma once

#include <initializer_list>

#include "syscalls.hpp"

namespace ringfence {

// Closes every fd from 3 up except those listed (negative entries are ignored).
inline void close_all_except(std::initializer_list<int> keep_list) {
    int keep[8];
    int n = 0;
    for (int fd : keep_list)
        if (fd >= 3 && n < 8) keep[n++] = fd;
    for (int i = 1; i < n; ++i)  // insertion sort: at most eight entries
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned first = 3;
    for (int i = 0; i < n; ++i) {
        unsigned fd = static_cast<unsigned>(keep[i]);
        if (fd > first) sys::close_range(first, fd - 1, 0);
        if (fd + 1 > first) first = fd + 1;
    }
    sys::close_range(first, ~0u, 0);
}

}  // namespace ringfence
