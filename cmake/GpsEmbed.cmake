# gps_embed(<target> <namespace> <header-name> NAME <identifier> FILE <path> [NAME ... FILE ...])
# Generates <binary dir>/embedded/<header-name>.h holding each file as
#   inline constexpr std::string_view <identifier>
# so a process ships its Lua scripts or web page inside its binary, with no install step.
function(gps_embed target namespace header)
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/embedded)
  set(out ${out_dir}/${header}.h)
  set(args ${ARGN})
  set(names)
  set(files)
  list(LENGTH args n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 4)
    math(EXPR name_i "${i} + 1")
    math(EXPR file_i "${i} + 3")
    list(GET args ${name_i} name)
    list(GET args ${file_i} file)
    list(APPEND names ${name})
    list(APPEND files ${file})
  endforeach()
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${namespace} "-DNAMES=${names}"
            "-DFILES=${files}" -P ${PROJECT_SOURCE_DIR}/cmake/GpsEmbedGenerate.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/GpsEmbedGenerate.cmake
    COMMENT "Embedding ${header}"
    VERBATIM)
  add_custom_target(${target}_embed_${header} DEPENDS ${out})
  add_dependencies(${target} ${target}_embed_${header})
  target_sources(${target} PRIVATE ${out})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
endfunction()
