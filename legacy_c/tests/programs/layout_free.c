/* The header alone, compiled as C99 and as C++11 with every warning an error. */
#include "agora_sig.h"

int main(void) {
    return 0;
}
