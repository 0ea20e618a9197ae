# Helpers to assemble guests and firmware with nasm.
#
# vireo_nasm_bin(OUT SRC [DEPS...]): flat binary (nasm -f bin).
# vireo_nasm_elf32(OUT SRC LDSCRIPT_OR_EMPTY): nasm -f elf32 then ld -m elf_i386.
# vireo_embed(TARGET_VAR SYMBOL FILE): generate a C file holding FILE as a byte array.
function(vireo_nasm_bin out src)
  get_filename_component(dir ${out} DIRECTORY)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${NASM} -f bin -I${CMAKE_SOURCE_DIR}/tests/guest/include/ -I${CMAKE_SOURCE_DIR}/roms/ -o ${out} ${src}
    DEPENDS ${src} ${ARGN}
    COMMENT "nasm ${src}" VERBATIM)
endfunction()

find_program(LD_BFD NAMES ld.bfd ld)
function(vireo_nasm_elf32 out src)
  get_filename_component(dir ${out} DIRECTORY)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${NASM} -f elf32 -I${CMAKE_SOURCE_DIR}/tests/guest/include/ -I${CMAKE_SOURCE_DIR}/roms/ -o ${out}.o ${src}
    COMMAND ${LD_BFD} -m elf_i386 -nostdlib -Ttext=0x100000 -e _start -o ${out} ${out}.o
    DEPENDS ${src} ${ARGN}
    COMMENT "nasm+ld ${src}" VERBATIM)
endfunction()

function(vireo_embed out_c symbol file)
  add_custom_command(OUTPUT ${out_c}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out_c} -DSYM=${symbol} -P ${CMAKE_SOURCE_DIR}/cmake/bin2c.cmake
    DEPENDS ${file} ${CMAKE_SOURCE_DIR}/cmake/bin2c.cmake
    COMMENT "embed ${file}" VERBATIM)
endfunction()
