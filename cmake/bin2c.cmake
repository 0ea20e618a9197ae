# cmake -DIN=file -DOUT=file.c -DSYM=name -P bin2c.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR nbytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* generated from ${IN} by cmake/bin2c.cmake */\n#include <stddef.h>\n#include <stdint.h>\nconst uint8_t ${SYM}[] = {\n${body}\n};\nconst size_t ${SYM}_size = ${nbytes};\n")
