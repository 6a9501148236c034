/* Prints this CPU's XSAVE layout as CPUID leaf 0xD reports it: "size N" (the enabled features' standard-format
 * area), then "component BIT OFFSET SIZE" for every enabled user component from 2 on. */
#include <cpuid.h>
#include <stdio.h>

int main(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d)) return 1;
    unsigned long long xcr0 = a | ((unsigned long long) d << 32);
    printf("size %u\n", b);
    for (int bit = 2; bit < 10; bit++) {
        if (!(xcr0 & (1ULL << bit))) continue;
        __get_cpuid_count(0xd, bit, &a, &b, &c, &d);
        printf("component %d %u %u\n", bit, b, a);
    }
    return 0;
}
